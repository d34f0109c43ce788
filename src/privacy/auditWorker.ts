/**
 * The auditor's thread (started by auditor.ts): holds the truth of workerData and audits each
 * release it is sent (a ReleaseAuditRequest with the release as a WireDataset).
 */
import { workerData } from 'node:worker_threads';
import { fromWireDataset, type WireDataset } from '../datasets/dataset.ts';
import { serveRequests } from '../util/workerRequests.ts';
import { auditReleaseRequest, type ReleaseAuditRequest } from './audit.ts';
import type { TimedAudit } from './auditor.ts';

const truth = fromWireDataset((workerData.input as { truth: WireDataset }).truth);

serveRequests(
  (request: Omit<ReleaseAuditRequest, 'release'> & { release: WireDataset }, progress) => {
    const start = performance.now();
    const audit = auditReleaseRequest(
      truth,
      { ...request, release: fromWireDataset(request.release) },
      progress,
    );
    return { audit, seconds: (performance.now() - start) / 1000 } satisfies TimedAudit;
  },
);
