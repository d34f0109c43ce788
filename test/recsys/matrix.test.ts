import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HALF_STARS } from '../../src/datasets/dataset.ts';
import { fitAlgorithm } from '../../src/recsys/index.ts';
import { RatingMatrix } from '../../src/recsys/matrix.ts';
import { ratingsOf } from './helpers.ts';

test('RatingMatrix builds CSR by user and CSC by item, rows sorted', () => {
  // users 10, 20; movies 7, 8, 9 (dense 0..2), given out of order
  const ratings = ratingsOf('20:9:2 10:8:4 20:7:5 10:7:3 10:9:1');
  const m = RatingMatrix.fromRatings(ratings);
  assert.equal(m.users, 2);
  assert.equal(m.items, 3);
  assert.deepEqual([...m.userPtr], [0, 3, 5]);
  assert.deepEqual([...m.userItems], [0, 1, 2, 0, 2]);
  assert.deepEqual([...m.userRatings], [3, 4, 1, 5, 2]);
  assert.deepEqual([...m.itemPtr], [0, 2, 3, 5]);
  assert.deepEqual([...m.itemUsers], [0, 1, 0, 0, 1]);
  assert.deepEqual([...m.itemRatings], [3, 5, 4, 1, 2]);
  assert.equal(m.globalMean, 3);
  assert.equal(m.ratingOf(1, 2), 2);
  assert.ok(Number.isNaN(m.ratingOf(1, 1)));
  assert.deepEqual(m.scale, { min: 1, max: 5, step: 1 });
  assert.equal(m.userCount(0), 3);
  assert.equal(m.itemCount(1), 1);
});

test('the default scale of half-star ratings is 0.5–5 in half steps; predictions are clipped to it', () => {
  const halfStars = ratingsOf('10:7:0.5 10:8:4 20:7:3.5 20:9:5');
  assert.deepEqual(RatingMatrix.fromRatings(halfStars).scale, { min: 0.5, max: 5, step: 0.5 });
  const model = fitAlgorithm('bias', halfStars, {}, { seed: 1, scale: HALF_STARS });
  assert.deepEqual(model.scale, HALF_STARS);
  assert.equal(model.clip(0.1), 0.5);
  assert.equal(model.clip(0.75), 0.75, 'below 1 is on the half-star scale');
  assert.equal(model.clip(5.4), 5);
  const whole = fitAlgorithm('bias', ratingsOf('10:7:1 10:8:4 20:7:3 20:9:5'), {}, { seed: 1 });
  assert.equal(whole.clip(0.75), 1, 'whole-star data keeps 1 as its floor');
});
