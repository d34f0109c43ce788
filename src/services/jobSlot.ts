/**
 * One background job at a time, as the console runs them (model runs, dataset releases): the job
 * runs on a worker thread (BackgroundJob), its progress goes into the record a client polls, and
 * cancelling stops its thread. What the job computes is the caller's; what every such job does
 * around it (one at a time, progress, failure, cancellation, the finishing time) is here.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { BackgroundJob } from './backgroundJobs.ts';
import { conflict } from './errors.ts';

/** What a client polls about a job. */
export interface JobRecord {
  status: string;
  /** 0..1 */
  progress: number;
  /** What the job is doing now, e.g. "fold 2 of 5". */
  phase: string;
  error: string | null;
  finishedAt: string | null;
}

export class JobSlot {
  private current: Promise<void> | null = null;
  private job: BackgroundJob<unknown> | null = null;

  /** `busyMessage`: the conflict a start meets while a job runs. */
  constructor(private readonly busyMessage: string) {}

  get busy(): boolean {
    return this.current !== null;
  }

  /** Resolves when the running job (if any) has finished. */
  async idle(): Promise<void> {
    while (this.current) await this.current;
  }

  /** Throws a `conflict` ServiceError while a job runs. */
  checkFree(): void {
    if (this.current) throw conflict(this.busyMessage);
  }

  /**
   * Runs `work` for `record` in the background (from the next turn of the event loop). A failure
   * marks the record failed with its message, unless it was cancelled meanwhile; `cleanup` runs
   * at the end either way.
   */
  run(record: JobRecord, work: () => Promise<void>, cleanup?: () => void): void {
    this.checkFree();
    this.current = (async () => {
      try {
        await nextTurn();
        await work();
      } catch (error) {
        if (record.status === 'running') {
          record.status = 'failed';
          record.phase = 'failed';
          record.error = (error as Error).message;
        }
      } finally {
        this.job = null;
        cleanup?.();
        record.finishedAt = new Date().toISOString();
      }
    })().finally(() => {
      this.current = null;
    });
  }

  /**
   * Starts `exportName` of `module` on a worker thread; its progress goes into `record` while the
   * record is running. Resolves to the task's result.
   */
  onWorker<Result>(record: JobRecord, module: URL, exportName: string, input: unknown) {
    const job = new BackgroundJob<Result>(module, exportName, input, (progress, phase) => {
      if (record.status !== 'running') return;
      record.progress = progress;
      record.phase = phase;
    });
    this.job = job;
    return job.result;
  }

  /** Stops the job of a running record (its thread ends); false when it is not running. */
  async cancel(record: JobRecord | undefined): Promise<boolean> {
    if (!record || record.status !== 'running') return false;
    record.status = 'cancelled';
    record.phase = 'cancelled';
    await this.job?.cancel();
    await this.idle();
    return true;
  }

  /** Server shutdown: cancels whichever of `records` is running and waits for its job to end. */
  async close(records: readonly JobRecord[]): Promise<void> {
    await this.cancel(records.find((record) => record.status === 'running'));
    await this.idle();
  }
}
