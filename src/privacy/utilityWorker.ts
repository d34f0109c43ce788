/**
 * A utility fit on a worker thread (started by utilityFit.ts): fits the utility model on the
 * training ratings of workerData, then answers one message (a UtilityTest) with its scores.
 * The test may arrive while the model is still fitting: the port queues it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fromWireRatings, type RatingScale, type WireRatings } from '../datasets/dataset.ts';
import { fitUtilityModel, scoreUtility, type UtilityTest } from './utility.ts';

const port = parentPort!;
const input = workerData.input as {
  train: WireRatings;
  algorithm: string;
  scale: RatingScale;
  seed: number;
};

try {
  const model = fitUtilityModel(
    fromWireRatings(input.train),
    input.algorithm,
    input.scale,
    input.seed,
  );
  port.once('message', (test: UtilityTest) => {
    try {
      port.postMessage({ type: 'result', value: scoreUtility(model, test) });
    } catch (error) {
      port.postMessage({ type: 'error', message: (error as Error).message });
    }
  });
} catch (error) {
  port.postMessage({ type: 'error', message: (error as Error).message });
}
