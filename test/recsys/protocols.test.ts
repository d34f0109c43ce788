import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  kFold,
  perUserHoldout,
  protocolFolds,
  protocolInfo,
  randomSplit,
  temporalLastN,
} from '../../src/recsys/eval/protocols.ts';
import { evaluateAlgorithm, evaluateRanking, summarize } from '../../src/recsys/eval/evaluate.ts';
import { fitAlgorithm } from '../../src/recsys/index.ts';
import type { Ratings } from '../../src/datasets/dataset.ts';
import { ratingsOf, syntheticRatings } from './helpers.ts';

const ratings = syntheticRatings();
const key = (r: Ratings, k: number): string => `${r.userIndex[k]}:${r.itemIndex[k]}`;

test('kfold5: five disjoint test folds that cover every rating; same seed, same folds', () => {
  const folds = kFold(ratings, 5, 0);
  assert.equal(folds.length, 5);
  const seen = new Set<string>();
  for (const fold of folds) {
    assert.equal(fold.train.length + fold.test.length, ratings.length);
    assert.ok(Math.abs(fold.test.length - ratings.length / 5) <= 1);
    const train = new Set(Array.from({ length: fold.train.length }, (_, k) => key(fold.train, k)));
    for (let k = 0; k < fold.test.length; k++) {
      assert.ok(!train.has(key(fold.test, k)));
      seen.add(key(fold.test, k));
    }
  }
  assert.equal(seen.size, ratings.length);
  assert.deepEqual(kFold(ratings, 5, 0)[2].test.rating, folds[2].test.rating);
  assert.notDeepEqual(kFold(ratings, 5, 1)[2].test.userIndex, folds[2].test.userIndex);
});

test('split90 holds out 10%', () => {
  const split = randomSplit(ratings, 0.1, 1234);
  assert.equal(split.test.length, Math.floor(ratings.length / 10));
  assert.equal(split.train.length + split.test.length, ratings.length);
});

test('holdout20: round(20%) of each user with ≥ 5 ratings, at least 1', () => {
  const rows: number[][] = [];
  for (let k = 0; k < 7; k++) rows.push([1, 10 + k, 4]); // 7 → round(1.4) = 1
  for (let k = 0; k < 4; k++) rows.push([2, 10 + k, 4]); // < 5 → all train
  for (let k = 0; k < 13; k++) rows.push([3, 10 + k, 4]); // 13 → round(2.6) = 3
  const fold = perUserHoldout(ratingsOf(rows), 0.2, 42);
  const count = (r: Ratings, u: number): number => r.userIndex.filter((x) => x === u).length;
  assert.deepEqual([count(fold.test, 0), count(fold.test, 1), count(fold.test, 2)], [1, 0, 3]);
  assert.deepEqual([count(fold.train, 0), count(fold.train, 1), count(fold.train, 2)], [6, 4, 10]);
});

test('temporal-lastN holds out each user’s most recent ratings', () => {
  const rows: number[][] = [];
  for (let k = 0; k < 12; k++) rows.push([1, 10 + k, 3, 1000 - k * 10]); // newest = lowest movie ids
  const fold = temporalLastN(ratingsOf(rows), 3);
  assert.deepEqual(
    [...fold.test.itemIndex].sort((a, b) => a - b),
    [0, 1, 2],
  );
  assert.equal(protocolInfo('temporal-last7')?.kind, 'both');
  assert.equal(protocolInfo('kfold7'), undefined);
  assert.equal(protocolFolds('temporal-last5', ratings).length, 1);
});

test('ranking evaluation by hand: a model that ranks the held-out item first scores 1', () => {
  // User 1 rated 10 and 11 and (held out) 12 with 5. Popularity: 10 (3), 11 (2), 12 and 13 (1);
  // user 1 already rated 10 and 11, so 12 comes first (ties: lower index first).
  const train = ratingsOf('1:10:3 1:11:3 2:10:3 2:11:3 2:12:3 3:10:3 3:13:3');
  const test = {
    ...train,
    length: 1,
    userIndex: Int32Array.of(0),
    itemIndex: Int32Array.of(2),
    rating: Float32Array.of(5),
    timestamp: Uint32Array.of(0),
  };
  const model = fitAlgorithm('popular', train);
  const evaluation = evaluateRanking(model, test);
  assert.equal(evaluation.metrics['recall@20'], 1);
  assert.equal(evaluation.metrics['ndcg@10'], 1);
  assert.equal(evaluation.metrics.mrr, 1);
  assert.equal(evaluation.metrics.users, 1);
  // coverage@20: user 1's list holds the two items it did not rate, of four
  assert.equal(evaluation.metrics['coverage@20'], 2 / 4);
});

test('evaluateAlgorithm: same seed → same metrics; summaries carry mean, sd and seconds', () => {
  const folds = kFold(ratings, 5, 0);
  const a = summarize(
    'svd',
    {},
    evaluateAlgorithm('svd', { factors: 5, epochs: 5 }, folds, 'rating', { seed: 1 }),
  );
  const b = summarize(
    'svd',
    {},
    evaluateAlgorithm('svd', { factors: 5, epochs: 5 }, folds, 'rating', { seed: 1 }),
  );
  assert.deepEqual(a.metrics, b.metrics);
  assert.deepEqual(a.sd, b.sd);
  assert.equal(a.folds, 5);
  assert.ok(a.metrics.rmse > 0.3 && a.metrics.rmse < 1.5);
  assert.ok(a.fitSeconds >= 0 && a.predictSeconds >= 0);
  const ranking = evaluateAlgorithm('ease', { lambda: 10 }, [perUserHoldout(ratings)], 'ranking', {
    perUser: true,
  });
  assert.ok(ranking[0].metrics['recall@20'] > 0);
  assert.ok((ranking[0].perUser?.length ?? 0) > 0);
  assert.equal(ranking[0].metrics.rmse, undefined);
});
