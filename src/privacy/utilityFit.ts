/**
 * A utility fit started on a worker thread (utilityWorker.ts, run through tsx: see
 * src/util/tsxWorker.ts): the model fits while the caller goes on (release, audit);
 * `score(test)` sends the test and resolves with the scores. The caller never blocks on the
 * worker (it awaits).
 */
import type { Worker } from 'node:worker_threads';
import { toWireRatings, type RatingScale, type Ratings } from '../datasets/dataset.ts';
import { startTsxWorker, workerResult } from '../util/tsxWorker.ts';
import type { UtilityScores, UtilityTest } from './utility.ts';

const ENTRY = new URL('./utilityWorker.ts', import.meta.url);

export class UtilityFit {
  private readonly worker: Worker;
  private readonly result: Promise<UtilityScores>;

  constructor(train: Ratings, algorithm: string, scale: RatingScale, seed: number) {
    this.worker = startTsxWorker(ENTRY, { train: toWireRatings(train), algorithm, scale, seed });
    this.result = workerResult<UtilityScores>(this.worker, `utility model (${algorithm})`);
  }

  /** Tests the model (once it has fitted) and ends the worker. */
  async score(test: UtilityTest): Promise<UtilityScores> {
    this.worker.postMessage(test);
    try {
      return await this.result;
    } finally {
      await this.worker.terminate();
    }
  }

  /** Ends the worker without waiting for the fit. */
  async cancel(): Promise<void> {
    await this.worker.terminate();
  }
}
