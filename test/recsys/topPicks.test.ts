/** top-picks, the site's ranking model, evaluated as served (members folded in); givenN. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { selectRatings } from '../../src/datasets/dataset.ts';
import { readMl100k } from '../../src/datasets/ml100k.ts';
import {
  evaluateAlgorithm,
  evaluateRanking,
  fitAlgorithm,
  givenN,
  protocolFolds,
  summarize,
} from '../../src/recsys/index.ts';
import { ML100K_DIR } from '../helpers/files.ts';
import { syntheticRatings } from './helpers.ts';

test('givenN: a fifth of the users with enough ratings keep n for training, the rest is held out', () => {
  const ratings = syntheticRatings(200, 60, 30);
  const fold = givenN(ratings, 15, 42);
  assert.equal(fold.name, 'given15');
  assert.equal(fold.train.length + fold.test.length, ratings.length);
  const trainCount = new Map<number, number>();
  for (let r = 0; r < fold.train.length; r++)
    trainCount.set(fold.train.userIndex[r], (trainCount.get(fold.train.userIndex[r]) ?? 0) + 1);
  const testUsers = new Set(fold.test.userIndex);
  assert.ok(testUsers.size > 20 && testUsers.size < 60, `${testUsers.size} of 200`);
  for (const u of testUsers) assert.equal(trainCount.get(u), 15);
  for (const [u, count] of trainCount) if (!testUsers.has(u)) assert.equal(count, 30);
  assert.deepEqual(protocolFolds('given15', ratings)[0].test.rating, fold.test.rating);
});

test('top-picks is evaluated as served: each user ranked from the training ratings handed in', () => {
  const ratings = syntheticRatings(80, 50, 15);
  const [fold] = protocolFolds('holdout20', ratings);
  const model = fitAlgorithm('top-picks', fold.train, {}, { seed: 1, threads: 1 });
  const served = evaluateRanking(model, fold.test, { foldInFrom: fold.train });
  // With no training ratings to fold in, every user gets the same list: the input is used.
  const empty = selectRatings(fold.train, []);
  const blind = evaluateRanking(model, fold.test, { foldInFrom: empty });
  assert.ok(blind.metrics['coverage@20'] <= 20 / 50 + 1e-9);
  assert.ok(served.metrics['coverage@20'] > blind.metrics['coverage@20']);
  assert.ok(served.metrics['recall@20'] > blind.metrics['recall@20']);
  // Half-star ratings fold in like any others.
  const half = model.foldIn([
    { movieId: ratings.itemIds.ids[0], rating: 3.5 },
    { movieId: ratings.itemIds.ids[1], rating: 0.5 },
  ]);
  assert.equal(model.recommend(half, 5).length, 5);
});

const ml100k = existsSync(join(ML100K_DIR, 'u.data'))
  ? false
  : `ML-100K not found at ${ML100K_DIR}`;

test(
  'ML-100K: top-picks meets the floors on holdout20 and beats most-popular for members with 15 ratings',
  { skip: ml100k },
  async () => {
    const dataset = await readMl100k(ML100K_DIR);
    const measure = (algorithm: string, protocol: string) =>
      summarize(
        algorithm,
        {},
        evaluateAlgorithm(algorithm, {}, protocolFolds(protocol, dataset.ratings), 'ranking', {
          scale: dataset.scale,
        }),
      ).metrics;
    const holdout = measure('top-picks', 'holdout20');
    assert.ok(holdout['recall@20'] >= 0.4, `recall@20 ${holdout['recall@20']}`);
    assert.ok(holdout['ndcg@10'] >= 0.33, `ndcg@10 ${holdout['ndcg@10']}`);
    const picks = measure('top-picks', 'given15');
    const popular = measure('popular', 'given15');
    assert.ok(
      picks['recall@20'] > popular['recall@20'],
      `${picks['recall@20']} vs ${popular['recall@20']}`,
    );
    assert.ok(
      picks['ndcg@10'] > popular['ndcg@10'],
      `${picks['ndcg@10']} vs ${popular['ndcg@10']}`,
    );
  },
);
