/**
 * A utility fit on a worker thread (started by utilityFit.ts): fits the utility model on the
 * training ratings of workerData, then answers one message (a UtilityTest) with its scores.
 * The test may arrive while the model is still fitting: the port queues it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { IdIndex, type RatingScale, type Ratings } from '../datasets/dataset.ts';
import { fitUtilityModel, scoreUtility, type UtilityTest } from './utility.ts';
import type { WireRatings } from './utilityFit.ts';

const port = parentPort!;
const input = workerData.input as {
  train: WireRatings;
  algorithm: string;
  scale: RatingScale;
  seed: number;
};

try {
  const train: Ratings = {
    ...input.train,
    userIds: new IdIndex(input.train.userIds),
    itemIds: new IdIndex(input.train.itemIds),
  };
  const model = fitUtilityModel(train, input.algorithm, input.scale, input.seed);
  port.once('message', (test: UtilityTest) => {
    try {
      port.postMessage({ type: 'scores', scores: scoreUtility(model, test) });
    } catch (error) {
      port.postMessage({ type: 'error', message: (error as Error).message });
    }
  });
} catch (error) {
  port.postMessage({ type: 'error', message: (error as Error).message });
}
