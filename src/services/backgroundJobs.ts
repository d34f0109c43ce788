/**
 * Long computations of the web server (console model runs, recommender-experiment fits, dataset
 * releases) run on a worker thread, so requests keep being answered while they work.
 *
 * A task is a named export of a module, `(input, report) => result`, run in a fresh worker:
 * `report(progress, phase)` reaches the caller's `onProgress`; the result (and the input) cross
 * the thread boundary by structured clone, so they are plain data and typed arrays (see
 * `toWireDataset` for a Dataset). `cancel()` terminates the worker (and any threads it started):
 * `result` then rejects with `JobCancelledError`.
 * The worker runs the TypeScript task through tsx (see src/util/tsxWorker.ts).
 */
import type { Worker } from 'node:worker_threads';
import { runnableUrl, startTsxWorker } from '../util/tsxWorker.ts';

export type JobReporter = (progress: number, phase: string) => void;

/** What a task module exports: plain data in, plain data out. */
export type JobTask<Input, Result> = (
  input: Input,
  report: JobReporter,
) => Result | Promise<Result>;

export class JobCancelledError extends Error {
  constructor() {
    super('the job was cancelled');
    this.name = 'JobCancelledError';
  }
}

type WorkerMessage =
  | { type: 'progress'; progress: number; phase: string }
  | { type: 'result'; value: unknown }
  | { type: 'error'; message: string };

const ENTRY = new URL('./jobWorker.ts', import.meta.url);

export class BackgroundJob<Result> {
  readonly result: Promise<Result>;
  private readonly worker: Worker;
  private cancelled = false;

  /**
   * Starts `exportName` of `module` (a file URL) on a new worker thread with `input`.
   */
  constructor(module: URL, exportName: string, input: unknown, onProgress?: JobReporter) {
    this.worker = startTsxWorker(ENTRY, { module: runnableUrl(module).href, exportName, input });
    this.result = new Promise<Result>((resolve, reject) => {
      let settled = false;
      const settle = (action: () => void) => {
        if (settled) return;
        settled = true;
        action();
      };
      this.worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'progress') onProgress?.(message.progress, message.phase);
        else if (message.type === 'result') settle(() => resolve(message.value as Result));
        else settle(() => reject(new Error(message.message)));
      });
      this.worker.on('error', (error) => settle(() => reject(error)));
      this.worker.on('exit', (code) =>
        settle(() =>
          reject(
            this.cancelled
              ? new JobCancelledError()
              : new Error(`the job's worker stopped (exit code ${code}) before it finished`),
          ),
        ),
      );
    });
  }

  /** Stops the job; resolves when its thread has ended. */
  async cancel(): Promise<void> {
    this.cancelled = true;
    await this.worker.terminate();
  }
}
