/**
 * Audits on a worker thread (auditWorker.ts): the truth is sent once and the thread audits the
 * releases of a pipeline run one after the other, while the caller goes on making the next
 * release. Each answer carries the audit's own seconds on that thread.
 */
import { toWireDataset, type Dataset } from '../datasets/dataset.ts';
import { WorkerRequests } from '../util/workerRequests.ts';
import type { AuditResult, ReleaseAuditRequest } from './audit.ts';

const ENTRY = new URL('./auditWorker.ts', import.meta.url);

export interface TimedAudit {
  audit: AuditResult;
  seconds: number;
}

export class Auditor {
  private readonly worker: WorkerRequests;

  constructor(truth: Dataset) {
    this.worker = new WorkerRequests(ENTRY, { truth: toWireDataset(truth) }, 'audit');
  }

  audit(
    request: ReleaseAuditRequest,
    onProgress?: (fraction: number) => void,
  ): Promise<TimedAudit> {
    const wire = { ...request, release: toWireDataset(request.release) };
    return this.worker.request<TimedAudit>(wire, onProgress);
  }

  async cancel(): Promise<void> {
    await this.worker.terminate();
  }
}
