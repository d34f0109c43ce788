import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ratingsFromExternalIds } from '../../src/datasets/dataset.ts';
import { RANKING_USERS, utilityTests } from '../../src/privacy/utility.ts';

/** Held-back ratings of `members` members (ids 1…), three each. */
function heldOut(members: number) {
  const users = Int32Array.from({ length: 3 * members }, (_, k) => 1 + Math.floor(k / 3));
  return ratingsFromExternalIds(
    users,
    Int32Array.from(users, (_, k) => 1 + (k % 3)),
    Float32Array.from(users, (_, k) => 1 + (k % 5)),
    new Uint32Array(users.length),
  );
}

const rankedIds = (tests: ReturnType<typeof utilityTests>) =>
  Array.from(tests.untransformed.users).filter((_, g) => tests.untransformed.ranked[g] === 1);

test('nDCG@10 ranks every released member up to RANKING_USERS, a seeded sample beyond', () => {
  // Members 1…40; the release holds 30 of them (every id but multiples of 4), as 1000 + id.
  const releaseIdOf = (id: number) => (id % 4 === 0 ? undefined : 1000 + id);
  const all = utilityTests(heldOut(40), releaseIdOf, 1);
  assert.ok(RANKING_USERS >= 30);
  assert.equal(all.rankingUsers, 30);
  assert.equal(all.testRatings, 90);
  assert.deepEqual(
    rankedIds(all),
    Array.from({ length: 40 }, (_, k) => k + 1).filter((id) => id % 4 !== 0),
  );
  assert.deepEqual(Array.from(all.released.users.slice(0, 3)), [1001, 1002, 1003]);

  const sample = utilityTests(heldOut(40), releaseIdOf, 1, 10);
  assert.equal(sample.rankingUsers, 10);
  assert.equal(rankedIds(sample).length, 10);
  assert.ok(rankedIds(sample).every((id) => id % 4 !== 0));
  // Every member still counts for RMSE; the same seed draws the same sample, another seed another.
  assert.equal(sample.testRatings, 90);
  assert.deepEqual(rankedIds(utilityTests(heldOut(40), releaseIdOf, 1, 10)), rankedIds(sample));
  assert.notDeepEqual(rankedIds(utilityTests(heldOut(40), releaseIdOf, 2, 10)), rankedIds(sample));
});
