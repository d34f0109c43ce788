/**
 * A utility fit started on a worker thread (utilityWorker.ts): the model fits while the caller
 * goes on (release, audit); `score(test)` sends the test and resolves with the scores.
 *
 * Under Node 20 a worker does not inherit the tsx hooks registered with `--import tsx`, so the
 * worker starts from a few lines of plain JavaScript that register tsx's ESM API in the worker
 * and then import the entry (as src/services/backgroundJobs.ts does). The caller never blocks on
 * the worker (it awaits), so the loader's messages to the main thread cannot deadlock.
 */
import { Worker } from 'node:worker_threads';
import type { RatingScale, Ratings } from '../datasets/dataset.ts';
import type { UtilityScores, UtilityTest } from './utility.ts';

/** Ratings as plain data (the IdIndex maps become their id arrays). */
export type WireRatings = Omit<Ratings, 'userIds' | 'itemIds'> & {
  userIds: Int32Array;
  itemIds: Int32Array;
};

const TSX_API = import.meta.resolve('tsx/esm/api');
const ENTRY = new URL('./utilityWorker.ts', import.meta.url).href;
const BOOTSTRAP = `
  const { workerData } = require('node:worker_threads');
  import(workerData.tsx).then(({ register }) => { register(); return import(workerData.entry); });
`;

export class UtilityFit {
  private readonly worker: Worker;
  private readonly result: Promise<UtilityScores>;

  constructor(train: Ratings, algorithm: string, scale: RatingScale, seed: number) {
    const wire: WireRatings = {
      length: train.length,
      userIndex: train.userIndex,
      itemIndex: train.itemIndex,
      rating: train.rating,
      timestamp: train.timestamp,
      userIds: train.userIds.ids,
      itemIds: train.itemIds.ids,
    };
    this.worker = new Worker(BOOTSTRAP, {
      eval: true,
      execArgv: [],
      workerData: { tsx: TSX_API, entry: ENTRY, input: { train: wire, algorithm, scale, seed } },
    });
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
