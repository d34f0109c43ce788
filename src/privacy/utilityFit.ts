/**
 * A utility fit started on a worker thread (utilityWorker.ts): the model fits while the caller
 * goes on (releases, audits); `score(test)` resolves with its scores for a test, as many tests as
 * asked. The caller never blocks on the worker (it awaits).
 */
import type { RatingScale, Ratings } from '../datasets/dataset.ts';
import { toWireRatings } from '../datasets/dataset.ts';
import { WorkerRequests } from '../util/workerRequests.ts';
import type { UtilityScores, UtilityTest } from './utility.ts';

const ENTRY = new URL('./utilityWorker.ts', import.meta.url);

export class UtilityFit {
  private readonly worker: WorkerRequests;

  constructor(train: Ratings, algorithm: string, scale: RatingScale, seed: number) {
    const input = { train: toWireRatings(train), algorithm, scale, seed };
    this.worker = new WorkerRequests(ENTRY, input, `utility model (${algorithm})`);
  }

  /** Tests the model (once it has fitted). */
  score(test: UtilityTest): Promise<UtilityScores> {
    return this.worker.request<UtilityScores>(test);
  }

  /** Ends the worker, fitted or not. */
  async cancel(): Promise<void> {
    await this.worker.terminate();
  }
}
