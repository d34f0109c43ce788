/** Tasks for backgroundJobs.test.ts: they run on a BackgroundJob's worker thread. */
import { threadId } from 'node:worker_threads';
import type { JobReporter } from '../../src/services/backgroundJobs.ts';

/** Blocks its thread until the caller stores a non-zero value in `flag[0]`; returns it. */
export function waitForCaller(
  input: { flag: SharedArrayBuffer },
  report: JobReporter,
): { value: number; threadId: number } {
  const flag = new Int32Array(input.flag);
  report(0.5, 'waiting for the caller');
  while (Atomics.load(flag, 0) === 0) Atomics.wait(flag, 0, 0, 1000);
  return { value: Atomics.load(flag, 0), threadId };
}

export function failOnPurpose(): never {
  throw new Error('this task fails on purpose');
}

/** Sums the ratings of a wire dataset and counts its users and items. */
export function summarizeDataset(input: {
  dataset: import('../../src/datasets/dataset.ts').WireDataset;
}): { sum: number; users: number; items: number; firstUser: number } {
  const { ratings } = input.dataset;
  let sum = 0;
  for (let r = 0; r < ratings.length; r++) sum += ratings.rating[r];
  return {
    sum,
    users: ratings.userIds.length,
    items: ratings.itemIds.length,
    firstUser: ratings.userIds[ratings.userIndex[0]],
  };
}
