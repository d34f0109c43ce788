import assert from 'node:assert/strict';
import { test } from 'node:test';
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
