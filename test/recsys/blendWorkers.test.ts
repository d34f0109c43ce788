/** A blend's members fitted side by side on worker threads (#14). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BlendModel } from '../../src/recsys/algorithms/blend.ts';
import { fitAlgorithm, fitAlgorithmOnWorkers } from '../../src/recsys/index.ts';
import { syntheticRatings } from './helpers.ts';

test('blend on worker threads: the same model, byte for byte, as fitted on one thread', async () => {
  const ratings = syntheticRatings(60, 40, 15);
  const params = { members: 'item-knn,user-knn,svd,als' };
  const options = { seed: 5, threads: 2 };
  const alone = fitAlgorithm('blend', ratings, params, options);
  const fractions: number[] = [];
  const onWorkers = await fitAlgorithmOnWorkers('blend', ratings, params, {
    ...options,
    onProgress: (fraction) => fractions.push(fraction),
  });
  assert.deepEqual(onWorkers.toBytes(), alone.toBytes());
  // Each member reported once per pass, in order, up to the whole fit.
  assert.equal(fractions.length, 8);
  assert.deepEqual(
    fractions,
    [...fractions].sort((a, b) => a - b),
  );
  assert.equal(fractions.at(-1), 1);
  // The members loaded from the workers' bytes share the blend's one copy of the ratings.
  const blend = onWorkers as BlendModel;
  for (const member of blend.members) assert.equal(member.core.userItems, blend.core.userItems);
  assert.equal(
    onWorkers.predict(0, 3),
    alone.predict(0, 3),
    'a prediction of the model fitted on workers',
  );
});

test('blend on worker threads: a member it cannot have is refused, by name, before any fit', async () => {
  const ratings = syntheticRatings(30, 20, 8);
  await assert.rejects(
    fitAlgorithmOnWorkers('blend', ratings, { members: 'svd,nonsense' }),
    /nonsense/,
  );
});
