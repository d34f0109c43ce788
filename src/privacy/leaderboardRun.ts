/**
 * One side of the research-utility leaderboard run on a worker thread (leaderboardWorker.ts), so
 * that it goes on while the caller releases and audits; `scores` resolves with its result.
 */
import type { Worker } from 'node:worker_threads';
import { toWireRatings, type RatingScale, type Ratings } from '../datasets/dataset.ts';
import { startTsxWorker, workerResult } from '../util/tsxWorker.ts';
import type { LeaderboardScores } from './leaderboard.ts';

const ENTRY = new URL('./leaderboardWorker.ts', import.meta.url);

export class LeaderboardRun {
  private readonly worker: Worker;
  readonly scores: Promise<LeaderboardScores>;

  constructor(ratings: Ratings, scale: RatingScale, seed: number) {
    this.worker = startTsxWorker(ENTRY, { ratings: toWireRatings(ratings), scale, seed });
    this.scores = workerResult<LeaderboardScores>(this.worker, 'research-utility leaderboard');
  }

  /** Ends the worker (done or not). */
  async cancel(): Promise<void> {
    await this.worker.terminate();
  }
}
