import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UserProfile } from '../../src/datasets/dataset.ts';
import {
  classKeys,
  classSizes,
  enforceKAnonymity,
  generalize,
} from '../../src/privacy/demographics.ts';
import { presetPolicy, validatePolicy } from '../../src/privacy/policy.ts';
import { quasiIdentifierRisk } from '../../src/privacy/qiRisk.ts';
import { Random } from '../../src/util/random.ts';

const ALL = ['gender', 'age', 'occupation', 'zip'] as const;

test('generalization follows the hierarchies', () => {
  const user: UserProfile = { id: 1, gender: 'F', age: 29, occupation: 10, zip: '55455' };
  assert.deepEqual(generalize(user, { gender: 0, age: 0, occupation: 0, zip: 0 }), {
    id: 1,
    gender: 'F',
    age: 25,
    occupation: 10,
    zip: '55455',
  });
  assert.deepEqual(generalize(user, { gender: 0, age: 1, occupation: 1, zip: 1 }), {
    id: 1,
    gender: 'F',
    age: 18,
    occupation: 4,
    zip: '554',
  });
  assert.deepEqual(generalize(user, { gender: 1, age: 2, occupation: 2, zip: 2 }), {
    id: 1,
    gender: null,
    age: null,
    occupation: null,
    zip: '5',
  });
  assert.equal(generalize(user, { gender: 0, age: 0, occupation: 0, zip: 3 }).zip, null);
});

function randomUsers(n: number, seed: number): UserProfile[] {
  const random = new Random(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    gender: random.next() < 0.7 ? 'M' : 'F',
    age: 15 + random.int(50),
    occupation: random.int(21),
    zip: String(10000 + random.int(89999)),
  }));
}

test('k-anonymity holds after generalization and suppression', () => {
  for (const [n, k] of [
    [300, 5],
    [2000, 5],
    [150, 10],
    [40, 3],
  ] as const) {
    const policy = validatePolicy({ demographics: { k } });
    const result = enforceKAnonymity(randomUsers(n, n), policy);
    assert.ok(result.satisfied);
    const sizes = classSizes(classKeys(result.users, ALL));
    assert.ok(
      sizes.every((size) => size >= k),
      `n=${n}, k=${k}: smallest class ${Math.min(...sizes)}`,
    );
    assert.ok(result.suppressed <= Math.max(k, policy.demographics.maxSuppression * n + k));
    assert.equal(result.users.length, n);
  }
});

test('the policy levels are a floor: k = 1 keeps them; suppression stays within the limit', () => {
  const users = randomUsers(500, 3);
  const movielens = enforceKAnonymity(users, presetPolicy('movielens'));
  assert.deepEqual(movielens.levels, { gender: 0, age: 0, occupation: 0, zip: 0 });
  assert.equal(movielens.suppressed, 0);
  const coarse = enforceKAnonymity(
    users,
    validatePolicy({ demographics: { zip: 'region', age: 'coarse' } }),
  );
  assert.ok(coarse.levels.zip >= 2 && coarse.levels.age >= 1);
});

test('quasi-identifier risk: hand-computed prosecutor, journalist and marketer risk', () => {
  // Release classes: {a, a, b} → sizes 2 and 1; population: a × 4, b × 2, c × 1.
  const u = (id: number, zip: string): UserProfile => ({
    id,
    gender: 'M',
    age: 25,
    occupation: 1,
    zip,
  });
  const released = [u(1, 'a'), u(2, 'a'), u(3, 'b')];
  const population = [u(1, 'a'), u(2, 'a'), u(3, 'b'), u(4, 'a'), u(5, 'a'), u(6, 'b'), u(7, 'c')];
  const risk = quasiIdentifierRisk(released, ALL, population, {
    gender: 0,
    age: 0,
    occupation: 0,
    zip: 0,
  });
  assert.equal(risk.classes, 2);
  assert.equal(risk.minClassSize, 1);
  assert.equal(risk.prosecutor.highest, 1);
  assert.equal(risk.prosecutor.successRate, 2 / 3);
  assert.equal(risk.prosecutor.recordsAtRisk, 1); // every record's risk (1/2, 1) exceeds 0.2
  assert.equal(risk.journalist.highest, 1 / 2);
  assert.equal(risk.journalist.successRate, 2 / 6);
  assert.ok(Math.abs(risk.marketer - (2 / 4 + 1 / 2) / 3) < 1e-12);
  assert.ok(Math.abs(risk.uniqueGenderAgeOccupationZip - 1 / 3) < 1e-12);
  assert.ok(Math.abs(risk.histogram.size1 - 1 / 3) < 1e-12);
  assert.ok(Math.abs(risk.histogram.size2to4 - 2 / 3) < 1e-12);
});
