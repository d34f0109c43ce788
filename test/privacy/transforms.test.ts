import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIVE_STARS, HALF_STARS, onScale } from '../../src/datasets/dataset.ts';
import { dpMovieStats, laplace, movieStatsCsv } from '../../src/privacy/laplace.ts';
import { drawPseudonyms } from '../../src/privacy/pseudonyms.ts';
import {
  coarsenTime,
  perturbRatings,
  samplePerUser,
  suppressRareMovies,
  transformTimes,
} from '../../src/privacy/transforms.ts';
import { Random } from '../../src/util/random.ts';
import { smallDataset } from './helpers.ts';

const DAY = 86400;

test('time coarsening truncates to the UTC day, the Monday of the week, the first of the month', () => {
  const t = Date.UTC(2001, 6, 19, 15, 30, 12) / 1000; // Thursday 2001-07-19
  assert.equal(coarsenTime(t, 'second'), t);
  assert.equal(coarsenTime(t, 'day'), Date.UTC(2001, 6, 19) / 1000);
  assert.equal(coarsenTime(t, 'week'), Date.UTC(2001, 6, 16) / 1000);
  assert.equal(coarsenTime(t, 'month'), Date.UTC(2001, 6, 1) / 1000);
});

test('the first of the month is found by arithmetic for every day from 1970 to the 32-bit end of time', () => {
  // Leap years (1972, 2000), a century that is not one (2100), and the last representable day.
  const last = Math.floor(4294967295 / DAY);
  for (let day = 1; day <= last; day++) {
    const date = new Date(day * DAY * 1000);
    const expected = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) / 1000;
    const t = day * DAY + 43210;
    if (coarsenTime(t, 'month') !== expected)
      assert.fail(`day ${day} (${date.toISOString()}): ${coarsenTime(t, 'month')} ≠ ${expected}`);
  }
});

test("a per-user shift moves all of a user's dates by one whole-day offset within ±shiftDays", () => {
  const userIndex = Int32Array.from([0, 0, 0, 1, 1]);
  const original = Uint32Array.from([1e9, 1e9 + 5 * DAY, 1e9 + 40 * DAY, 1e9, 1e9 + DAY]);
  const transformed = (options: Parameters<typeof transformTimes>[3]) => {
    const times = original.slice();
    transformTimes(times, userIndex, 2, options, new Random(1));
    return times;
  };
  const times = transformed({ drop: false, shiftDays: 100, granularity: 'second' });
  const offset0 = times[0] - original[0];
  const offset1 = times[3] - original[3];
  for (const k of [0, 1, 2]) assert.equal(times[k] - original[k], offset0);
  for (const k of [3, 4]) assert.equal(times[k] - original[k], offset1);
  for (const offset of [offset0, offset1]) {
    assert.equal(Math.abs(offset % DAY), 0);
    assert.ok(Math.abs(offset) <= 100 * DAY);
  }
  const dropped = transformed({ drop: true, shiftDays: 0, granularity: 'second' });
  assert.ok(dropped.every((t) => t === 0));
});

test("per-user sampling keeps round(fraction · n) of each user's ratings, capped", () => {
  const dataset = smallDataset({ users: 40, movies: 200, perUser: [20, 80], seed: 1 });
  const { ratings } = dataset;
  const all = Int32Array.from({ length: ratings.length }, (_, r) => r);
  const perUser = (rows: Int32Array) => {
    const counts = new Int32Array(ratings.userIds.size);
    for (const r of rows) counts[ratings.userIndex[r]]++;
    return counts;
  };
  const before = perUser(all);
  const sampled = perUser(
    samplePerUser(ratings, all, { fraction: 0.5, cap: null, minimum: 0 }, new Random(2)),
  );
  const capped = perUser(
    samplePerUser(ratings, all, { fraction: 1, cap: 25, minimum: 0 }, new Random(2)),
  );
  for (let u = 0; u < before.length; u++) {
    assert.equal(sampled[u], Math.round(before[u] / 2));
    assert.equal(capped[u], Math.min(25, before[u]));
  }
  const again = samplePerUser(
    ratings,
    all,
    { fraction: 0.5, cap: null, minimum: 0 },
    new Random(2),
  );
  assert.deepEqual(
    again,
    samplePerUser(ratings, all, { fraction: 0.5, cap: null, minimum: 0 }, new Random(2)),
  );
});

test('movies with fewer than N raters are suppressed', () => {
  const dataset = smallDataset({ users: 30, movies: 100, perUser: [20, 30], seed: 4 });
  const { ratings } = dataset;
  const all = Int32Array.from({ length: ratings.length }, (_, r) => r);
  const kept = suppressRareMovies(ratings, all, 5);
  const counts = new Map<number, number>();
  for (const r of all)
    counts.set(ratings.itemIndex[r], (counts.get(ratings.itemIndex[r]) ?? 0) + 1);
  for (const r of kept) assert.ok((counts.get(ratings.itemIndex[r]) ?? 0) >= 5);
  const expected = [...all].filter((r) => (counts.get(ratings.itemIndex[r]) ?? 0) >= 5).length;
  assert.equal(kept.length, expected);
  assert.ok(kept.length < all.length);
});

test('perturbation changes about the stated share of ratings and stays on the scale', () => {
  const ratings = new Float32Array(20000).fill(3);
  const changed = perturbRatings(ratings, 0.3, 'step', FIVE_STARS, new Random(1));
  assert.ok(Math.abs(changed / 20000 - 0.3) < 0.02, `changed ${changed}`);
  assert.ok(ratings.every((r) => r === 2 || r === 3 || r === 4));
  const ends = Float32Array.from({ length: 1000 }, (_, i) => (i % 2 ? 1 : 5));
  perturbRatings(ends, 1, 'step', FIVE_STARS, new Random(2));
  assert.ok(ends.every((r, i) => (i % 2 ? r === 2 : r === 4)));
  const uniform = new Float32Array(5000).fill(5);
  perturbRatings(uniform, 1, 'uniform', FIVE_STARS, new Random(3));
  assert.ok(uniform.every((r) => r >= 1 && r <= 5 && Number.isInteger(r)));
  assert.equal(new Set(uniform).size, 5);
});

test('on half-star data, perturbation moves by half a star and stays on the 0.5 grid', () => {
  const ratings = Float32Array.from({ length: 4000 }, (_, i) => [0.5, 3.5, 5][i % 3]);
  const before = ratings.slice();
  perturbRatings(ratings, 1, 'step', HALF_STARS, new Random(4));
  assert.ok(ratings.every((r, i) => Math.abs(r - before[i]) === 0.5 && onScale(r, HALF_STARS)));
  assert.ok(
    ratings.every((r, i) => (before[i] === 0.5 ? r === 1 : before[i] === 5 ? r === 4.5 : true)),
  );
  const uniform = new Float32Array(5000).fill(3);
  perturbRatings(uniform, 1, 'uniform', HALF_STARS, new Random(5));
  assert.ok(uniform.every((r) => onScale(r, HALF_STARS)));
  assert.equal(new Set(uniform).size, 10, 'every half star from 0.5 to 5 is drawn');
});

test('Laplace noise has the stated scale; DP movie statistics account the budget', () => {
  const random = new Random(9);
  let sumAbs = 0;
  for (let i = 0; i < 20000; i++) sumAbs += Math.abs(laplace(2, random));
  assert.ok(Math.abs(sumAbs / 20000 - 2) < 0.1, `mean |noise| ${sumAbs / 20000}`);
  const dataset = smallDataset({ users: 50, movies: 40, perUser: [20, 30], seed: 2 });
  const stats = dpMovieStats(dataset.ratings, FIVE_STARS, 1, new Random(1));
  assert.equal(stats.budget.epsilon, 1);
  assert.equal(stats.budget.counts.epsilon + stats.budget.sums.epsilon, 1);
  assert.equal(stats.budget.counts.laplaceScale, 2);
  assert.equal(stats.budget.sums.laplaceScale, 4);
  for (let i = 0; i < stats.counts.length; i++) {
    assert.ok(stats.counts[i] >= 0 && Number.isInteger(stats.counts[i]));
    if (!Number.isNaN(stats.means[i])) assert.ok(stats.means[i] >= 1 && stats.means[i] <= 5);
  }
  assert.match(movieStatsCsv(stats), /^movieId,count,mean\n/);
  assert.throws(() => dpMovieStats(dataset.ratings, FIVE_STARS, 0, new Random(1)));
});

test('pseudonyms are a random permutation of 1..n, reproducible from the seed', () => {
  const a = drawPseudonyms(100, new Random(5));
  assert.deepEqual(
    [...a].sort((x, y) => x - y),
    Array.from({ length: 100 }, (_, i) => i + 1),
  );
  assert.deepEqual(a, drawPseudonyms(100, new Random(5)));
  assert.notDeepEqual(a, drawPseudonyms(100, new Random(6)));
});
