/**
 * One side of the research-utility leaderboard on a worker thread (started by
 * leaderboardRun.ts): runs the leaderboard on the ratings of workerData and posts its scores.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fromWireRatings, type RatingScale, type WireRatings } from '../datasets/dataset.ts';
import { runLeaderboard } from './leaderboard.ts';

const input = workerData.input as { ratings: WireRatings; scale: RatingScale; seed: number };
try {
  const value = runLeaderboard(fromWireRatings(input.ratings), input.scale, input.seed);
  parentPort!.postMessage({ type: 'result', value });
} catch (error) {
  parentPort!.postMessage({ type: 'error', message: (error as Error).message });
}
