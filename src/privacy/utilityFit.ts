/**
 * A utility fit started on a worker thread (utilityWorker.ts, run through tsx: see
 * src/util/tsxWorker.ts): the model fits while the caller goes on (release, audit);
 * `score(test)` sends the test and resolves with the scores. The caller never blocks on the
 * worker (it awaits).
 */
import type { Worker } from 'node:worker_threads';
import { toWireRatings, type RatingScale, type Ratings } from '../datasets/dataset.ts';
import { startTsxWorker } from '../util/tsxWorker.ts';
import type { UtilityScores, UtilityTest } from './utility.ts';

const ENTRY = new URL('./utilityWorker.ts', import.meta.url);

export class UtilityFit {
  private readonly worker: Worker;
  private readonly result: Promise<UtilityScores>;

  constructor(train: Ratings, algorithm: string, scale: RatingScale, seed: number) {
    this.worker = startTsxWorker(ENTRY, { train: toWireRatings(train), algorithm, scale, seed });
    this.result = new Promise<UtilityScores>((resolve, reject) => {
      this.worker.once(
        'message',
        (message: { type: string; scores?: UtilityScores; message?: string }) => {
          if (message.type === 'scores') resolve(message.scores as UtilityScores);
          else reject(new Error(`utility model (${algorithm}): ${message.message}`));
        },
      );
      this.worker.once('error', reject);
      this.worker.once('exit', (code) =>
        reject(new Error(`the utility worker stopped (exit code ${code}) before it answered`)),
      );
    });
    // Settled later by score(); a failure before then must not be an unhandled rejection.
    this.result.catch(() => undefined);
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
