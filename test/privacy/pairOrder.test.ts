import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aheadShares } from '../../src/privacy/pairOrder.ts';

const shares = (perMember: number[][], lowerIsBetter = true, draws?: number) =>
  aheadShares(
    perMember.map((figures) => Float64Array.from(figures)),
    lowerIsBetter,
    5,
    draws,
  );

test('an algorithm better for every member is ahead in every draw; equal ones in none', () => {
  const ahead = shares([
    [0.5, 1, 2, 0.25],
    [0.75, 1.5, 2.5, 1],
    [0.5, 1, 2, 0.25],
  ]);
  // a * 3 + b: the share of draws in which a is ahead of b.
  assert.equal(ahead[0 * 3 + 1], 1);
  assert.equal(ahead[1 * 3 + 0], 0);
  assert.equal(ahead[0 * 3 + 2], 0);
  assert.equal(ahead[2 * 3 + 0], 0);
  // Higher is better (nDCG): the order turns.
  const higher = shares(
    [
      [1, 1],
      [0, 0],
    ],
    false,
  );
  assert.equal(higher[0 * 2 + 1], 1);
  assert.equal(higher[1 * 2 + 0], 0);
});

test('two members, each algorithm better for one: ahead only when its member is drawn twice (1/4)', () => {
  // A draw of two members: (0, 0) with probability 1/4 puts A's total at 0 and B's at 2.
  const ahead = shares(
    [
      [0, 1],
      [1, 0],
    ],
    true,
    4000,
  );
  assert.ok(Math.abs(ahead[0 * 2 + 1] - 0.25) < 0.03, `A ahead in ${ahead[1]}`);
  assert.ok(Math.abs(ahead[1 * 2 + 0] - 0.25) < 0.03, `B ahead in ${ahead[2]}`);
});

test('a small lead over many members is firm, the same lead over few is not', () => {
  const lead = (members: number) => {
    const a = Array.from({ length: members }, (_, m) => (m % 2 === 0 ? 1 : 0));
    const b = Array.from({ length: members }, (_, m) => (m % 2 === 0 ? 0 : 1.1));
    return shares([a, b])[0 * 2 + 1];
  };
  assert.ok(lead(2000) > 0.95, `2000 members: ${lead(2000)}`);
  assert.ok(lead(20) < 0.8, `20 members: ${lead(20)}`);
});

test('figures of different lengths are refused, naming the function', () => {
  assert.throws(
    () => shares([[1, 2], [1]]),
    /aheadShares: 1 members for one algorithm, 2 for another/,
  );
});
