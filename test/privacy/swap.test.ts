import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Ratings } from '../../src/datasets/dataset.ts';
import { similarMemberGroups } from '../../src/privacy/memberGroups.ts';
import { RatingMatrix } from '../../src/recsys/matrix.ts';
import { fitAlgorithm } from '../../src/recsys/registry.ts';
import { releaseDataset } from '../../src/privacy/release.ts';
import {
  popularMovies,
  sourceGroups,
  swapRatings,
  swapWithinGroups,
} from '../../src/privacy/swap.ts';
import { auditRelease } from '../../src/privacy/audit.ts';
import { releaseWithAudit } from '../../src/privacy/report.ts';
import { validatePolicy } from '../../src/privacy/policy.ts';
import { Random } from '../../src/util/random.ts';
import { smallDataset } from './helpers.ts';

const source = smallDataset({ users: 200, movies: 300, perUser: [20, 60], seed: 5 });
const ratings = source.ratings;
const allRows = Int32Array.from({ length: ratings.length }, (_, k) => k);

/** Per movie id: its number of ratings and its sorted values. */
function movieValues(r: Ratings, rows?: Int32Array): Map<number, number[]> {
  const values = new Map<number, number[]>();
  const each = rows ?? Int32Array.from({ length: r.length }, (_, k) => k);
  for (const k of each) {
    const id = r.itemIds.ids[r.itemIndex[k]];
    values.set(id, [...(values.get(id) ?? []), r.rating[k]]);
  }
  for (const list of values.values()) list.sort((a, b) => a - b);
  return values;
}

const pairsOf = (r: Ratings) =>
  Array.from({ length: r.length }, (_, k) => `${r.userIndex[k]}:${r.itemIndex[k]}`);

test('groups hold `size` similar members each (the last of a split up to 2·size − 1)', () => {
  const { groupOf, groups } = similarMemberGroups(ratings, 7, 1);
  const sizes = new Array<number>(groups).fill(0);
  for (const g of groupOf) sizes[g]++;
  assert.equal(
    sizes.reduce((a, b) => a + b, 0),
    200,
  );
  assert.ok(
    sizes.every((size) => size >= 7 && size <= 13),
    `sizes ${sizes.join(',')}`,
  );
  assert.ok(groups >= 200 / 13 && groups <= 200 / 7);
});

test('swapping keeps every movie’s count and values and every member’s count, never a movie twice', () => {
  const groups = sourceGroups(ratings, ratings, 7, 1);
  const variants = [
    { sigma: 0, popularMove: 'shuffle' as const },
    { sigma: 0.5, popularMove: 'shuffle' as const },
    { sigma: 0.5, popularMove: 'cycle' as const },
  ];
  for (const { sigma, popularMove } of variants) {
    const swapped = swapRatings(
      ratings,
      allRows,
      groups,
      { popularShare: 0.2, shufflePopular: true, sigma, popularSigma: 0, popularMove },
      new Random(2),
    );
    const released = swapped.ratings;
    assert.equal(released.length + swapped.dropped, ratings.length);
    assert.ok(swapped.dropped <= 0.01 * ratings.length, `dropped ${swapped.dropped}`);
    // Item statistics: exact unless a rating was dropped.
    if (swapped.dropped === 0) assert.deepEqual(movieValues(released), movieValues(ratings));
    // No member holds a movie twice.
    const pairs = pairsOf(released);
    assert.equal(new Set(pairs).size, pairs.length);
    // Each member keeps its number of ratings (less what could not be dealt).
    const before = new Int32Array(ratings.userIds.size);
    const after = new Int32Array(ratings.userIds.size);
    for (let k = 0; k < ratings.length; k++) before[ratings.userIndex[k]]++;
    for (let k = 0; k < released.length; k++) after[released.userIndex[k]]++;
    let lost = 0;
    for (let u = 0; u < before.length; u++) {
      assert.ok(after[u] <= before[u]);
      lost += before[u] - after[u];
    }
    assert.equal(lost, swapped.dropped);
    // Ratings really moved: many (member, movie) pairs are no longer the member's own.
    const own = new Set(pairsOf(ratings));
    const foreign = pairs.filter((pair) => !own.has(pair)).length;
    assert.ok(foreign > 0.2 * released.length, `${foreign} of ${released.length} moved`);
    // A foreign pair is a moved rating (the converse fails when two raters of a movie trade it).
    assert.ok(foreign <= swapped.moved);
  }
});

test('popular values moved along a cycle travel together to one neighbour, never back to their own', () => {
  // One group of five members who all rated the same three popular movies, each value its own.
  const members = 5;
  const movies = 3;
  const item = new Int32Array(members * movies);
  const user = new Int32Array(members * movies);
  const rating = new Float32Array(members * movies);
  for (let u = 0; u < members; u++)
    for (let i = 0; i < movies; i++) {
      item[u * movies + i] = i;
      user[u * movies + i] = u;
      rating[u * movies + i] = 1 + ((u + 2 * i) % 5) + (i === 2 ? 0.5 * (u % 2) : 0);
    }
  const before = Float32Array.from(rating);
  const valuesOf = (values: Float32Array, u: number) =>
    Array.from(values.subarray(u * movies, (u + 1) * movies)).join(',');
  for (const seed of [1, 2, 3]) {
    const rows = {
      item,
      user: Int32Array.from(user),
      rating: Float32Array.from(before),
      timestamp: new Uint32Array(item.length),
    };
    const result = swapWithinGroups(
      rows,
      movies,
      new Int32Array(members),
      1,
      {
        popularRaters: 1,
        shufflePopular: true,
        sigma: 0,
        popularSigma: 0,
        popularMove: 'cycle',
        predict: () => 3,
      },
      new Random(seed),
    );
    assert.equal(result.moved, 0, 'who rated what stays');
    assert.deepEqual(rows.user, user);
    // Every member now holds exactly the values of one other member, a different one each.
    const from = Array.from({ length: members }, (_, u) =>
      Array.from({ length: members }, (_, v) => v).filter(
        (v) => valuesOf(before, v) === valuesOf(rows.rating, u),
      ),
    );
    for (let u = 0; u < members; u++) {
      assert.equal(from[u].length, 1, `member ${u} holds one member's values (seed ${seed})`);
      assert.notEqual(from[u][0], u, `member ${u} does not keep its own (seed ${seed})`);
    }
    assert.equal(new Set(from.map(([v]) => v)).size, members);
  }
});

test('a swapped release says how much of each record is its member’s own, and is seeded', () => {
  const policy = validatePolicy({
    gate: { maxReidentified: 1, maxReidentifiedStronger: 1, targets: 'all' },
    ratings: { calibration: { enabled: false } },
  });
  assert.equal(policy.ratings.swap.enabled, true, 'the default preset swaps');
  const first = releaseDataset(source, policy, { seed: 4 });
  const again = releaseDataset(source, policy, { seed: 4 });
  assert.deepEqual(again.dataset.ratings.rating, first.dataset.ratings.rating);
  const summary = first.summary;
  assert.ok(summary.swap && summary.swap.groups > 0 && summary.swap.movedRatings > 0);
  assert.ok(summary.ownShare.mean > 0.1 && summary.ownShare.mean < 0.9, `${summary.ownShare.mean}`);
  assert.ok(summary.ownShare.p10 <= summary.ownShare.mean);
  const untouched = releaseDataset(
    source,
    validatePolicy({ extends: 'naive', gate: { maxReidentified: 1, maxReidentifiedStronger: 1 } }),
    { seed: 4 },
  );
  assert.equal(untouched.summary.swap, null);
  assert.deepEqual(untouched.summary.ownShare, { mean: 1, p10: 1 });
});

test('calibration takes the lightest popular share that passes, and says so', () => {
  const calibrated = (target: number) =>
    validatePolicy({
      gate: { maxReidentified: 1, maxReidentifiedStronger: 1, targets: 'all' },
      // The ALS swap's ladder (tasteChoice.test.ts: the choice of an alternative).
      ratings: { calibration: { enabled: true, target, steps: 4, sample: 100 }, alternatives: [] },
    });
  const lenient = releaseDataset(source, calibrated(1), { seed: 4 }).summary.calibration;
  assert.equal(lenient.length, 1);
  assert.equal(lenient[0].popularShare, 0.05);
  const impossible = calibrated(0);
  const heaviest = releaseDataset(source, impossible, { seed: 4 }).summary.calibration;
  // Four shares with plausible popular shuffles, then the heaviest with the values moved along
  // a cycle (popularSigma 0, popularMove 'cycle').
  assert.deepEqual(
    heaviest.map((step) => [step.popularShare, step.popularSigma]),
    [
      [0.05, 0.5],
      [0.1, 0.5],
      [0.15000000000000002, 0.5],
      [0.2, 0.5],
      [0.2, 0],
    ],
  );
  assert.equal(heaviest[0].estimatedStronger.length, 3);
});

test('the audit’s policy-aware adversary knows the step the calibration applied', () => {
  // Every step passes a target of 1: the ladder stops at its first share, 0.05 of the policy's 0.2.
  const policy = validatePolicy({
    gate: { maxReidentified: 1, maxReidentifiedStronger: 1, targets: 'all' },
    ratings: { calibration: { enabled: true, target: 1, steps: 4, sample: 100 } },
  });
  const { release, published, report } = releaseWithAudit(source, policy, {
    seed: 4,
    format: 'ml-1m',
    knowledgeCurve: false,
    utility: false,
  });
  assert.equal(release.summary.swap!.popularShare, 0.05);
  const liveIdOf = new Map(
    Array.from(release.mapping.releaseIds, (releaseId, k) => [
      releaseId,
      release.mapping.userIds[k],
    ]),
  );
  const policyAware = (share: number) => {
    const audit = auditRelease({
      truth: source,
      release: published,
      originalIdOf: (id) => liveIdOf.get(id),
      targets: 'all',
      intactMovies: popularMovies(published.ratings, share),
      knowledgeCurve: false,
    });
    return audit.strongerAdversaries.find((outcome) => outcome.name.includes('policy-aware'))!;
  };
  const reported = report.audit.strongerAdversaries.find((o) => o.name.includes('policy-aware'))!;
  const applied = policyAware(0.05);
  const ceiling = policyAware(0.2);
  // The adversary who reads the report knows the movies left popular at 0.05: more of them, and
  // re-identifying more members, than the policy's ceiling of 0.2 would say.
  assert.ok(
    popularMovies(published.ratings, 0.05).size > popularMovies(published.ratings, 0.2).size,
  );
  assert.equal(reported.reidentified, applied.reidentified);
  assert.ok(
    applied.reidentified > ceiling.reidentified,
    `applied ${applied.reidentified}, ceiling ${ceiling.reidentified}`,
  );
});

test('plausible deals follow the chosen taste model: item-kNN’s predictions, or ALS’s', () => {
  const byAls = sourceGroups(ratings, ratings, 7, 1, 'als');
  const byKnn = sourceGroups(ratings, ratings, 7, 1, 'item-knn');
  // The groups come from the same ALS fit either way; only the deals' weights change.
  assert.deepEqual(byKnn.groupOf, byAls.groupOf);
  const knn = fitAlgorithm(
    'item-knn',
    RatingMatrix.fromRatings(ratings),
    {},
    { seed: 1, threads: 1 },
  );
  let differ = 0;
  for (let u = 0; u < 200; u += 7) {
    for (let i = 0; i < 300; i += 11) {
      // Read from the member's scores for every movie: item-kNN's prediction up to rounding.
      const close = Math.abs(byKnn.predict(u, i) - knn.predict(u, i));
      assert.ok(close < 1e-9, `member ${u}, movie ${i}: off by ${close}`);
      if (Math.abs(byKnn.predict(u, i) - byAls.predict(u, i)) > 0.05) differ++;
    }
  }
  assert.ok(differ > 100, `${differ} predictions differ`);
  // Dealt by item-kNN, the moved ratings sit closer to item-kNN's predictions for their new
  // members than when dealt by ALS.
  const gap = (groups: typeof byAls) => {
    const swapped = swapRatings(
      ratings,
      allRows,
      groups,
      {
        popularShare: 0.2,
        shufflePopular: false,
        sigma: 0.3,
        popularSigma: 0,
        popularMove: 'cycle',
      },
      new Random(2),
    );
    const released = swapped.ratings;
    let sum = 0;
    let moved = 0;
    for (let k = 0; k < released.length; k++) {
      if (released.userIndex[k] === ratings.userIndex[swapped.sourceRow[k]]) continue;
      sum += Math.abs(
        knn.predict(released.userIndex[k], released.itemIndex[k]) - released.rating[k],
      );
      moved++;
    }
    assert.ok(moved > 1000, `${moved} moved`);
    return sum / moved;
  };
  const viaKnn = gap(byKnn);
  const viaAls = gap(byAls);
  assert.ok(viaKnn < viaAls - 0.05, `item-kNN gap ${viaKnn}, ALS ${viaAls}`);
});
