import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kendallTauB } from '../../src/privacy/kendall.ts';

test('Kendall τ-b: the same order is 1, the reverse −1, whatever the scale', () => {
  assert.equal(kendallTauB([1, 2, 3, 4, 5], [10, 20, 30, 40, 50]), 1);
  assert.equal(kendallTauB([0.9, 0.8, 0.7], [0.1, 0.2, 0.3]), -1);
});

test('Kendall τ-b: one swapped pair of four is (5 − 1) / 6', () => {
  assert.equal(kendallTauB([1, 2, 3, 4], [1, 3, 2, 4]), 4 / 6);
});

test('Kendall τ-b corrects for ties (the value scipy.stats.kendalltau gives)', () => {
  // scipy's documented example: kendalltau([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]) = −0.4714045…
  const tau = kendallTauB([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]);
  assert.ok(Math.abs(tau - -0.47140452079103173) < 1e-12, String(tau));
  // Ties in one list only: C = 5, D = 0, n₀ = 6, one pair tied in x: 5 / √(5 · 6).
  assert.ok(Math.abs(kendallTauB([1, 1, 2, 3], [1, 2, 3, 4]) - 5 / Math.sqrt(30)) < 1e-12);
});

test('Kendall τ-b is undefined (NaN) for a constant list or fewer than two items; lengths must match', () => {
  assert.ok(Number.isNaN(kendallTauB([3, 3, 3], [1, 2, 3])));
  assert.ok(Number.isNaN(kendallTauB([1], [1])));
  assert.throws(() => kendallTauB([1, 2], [1, 2, 3]), /2 scores against 3/);
});
