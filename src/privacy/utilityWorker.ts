/**
 * A utility fit on a worker thread (started by utilityFit.ts): fits the utility model on the
 * training ratings of workerData, then answers each test (a UtilityTest) with its scores. Tests
 * may arrive while the model is still fitting: the port queues them.
 */
import { workerData } from 'node:worker_threads';
import { fromWireRatings, type RatingScale, type WireRatings } from '../datasets/dataset.ts';
import { serveRequests } from '../util/workerRequests.ts';
import { fitUtilityModel, scoreUtility, type UtilityTest } from './utility.ts';

const input = workerData.input as {
  train: WireRatings;
  algorithm: string;
  scale: RatingScale;
  seed: number;
};

let fitted: ReturnType<typeof fitUtilityModel> | Error;
try {
  fitted = fitUtilityModel(fromWireRatings(input.train), input.algorithm, input.scale, input.seed);
} catch (error) {
  fitted = error as Error;
}
serveRequests((test: UtilityTest) => {
  if (fitted instanceof Error) throw fitted;
  return scoreUtility(fitted, test);
});
