/**
 * One blend member fitted on a worker thread (started by blend.ts's fitOnWorkers): fits the
 * member of workerData with its blend settings and answers with its model file's bytes and, in
 * the weights' pass, its predictions of the held-out ratings.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RatingMatrix } from '../matrix.ts';
import { getAlgorithm } from '../registry.ts';
import { fitMember, type MemberFitInput, type MemberFitResult } from './blend.ts';

const port = parentPort!;
const input = workerData.input as MemberFitInput;
try {
  const model = fitMember(getAlgorithm(input.name), RatingMatrix.fromWire(input.matrix), input);
  const value: MemberFitResult = {
    // The blend has the training data: loadMember takes it from there.
    bytes: model.toBytes({ withoutTrainingData: true }),
    predictions: input.validation
      ? model.predictMany(input.validation.userIndex, input.validation.itemIndex)
      : null,
  };
  const moved = [value.bytes.buffer, value.predictions?.buffer].filter((b) => b !== undefined);
  port.postMessage({ type: 'result', value }, moved as ArrayBuffer[]);
} catch (error) {
  port.postMessage({ type: 'error', message: (error as Error).message });
}
