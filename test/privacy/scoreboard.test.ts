import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIVE_STARS, ratingsFromExternalIds, type Dataset } from '../../src/datasets/dataset.ts';
import {
  SCOREBOARD_SEED,
  ScoreAccumulator,
  drawAuxiliary,
  indexRelease,
  indexTruth,
  scoreboardAttack,
} from '../../src/privacy/scoreboard.ts';
import {
  RecordHolding,
  knowledgeCurve,
  judgeMatch,
  runScoreboard,
  sampleTargets,
} from '../../src/privacy/scoreboardRuns.ts';
import { Random } from '../../src/util/random.ts';
import { smallDataset } from './helpers.ts';

const DAY = 86400;

function tinyRelease(withDates: boolean) {
  // user 1: A=5@100, B=3@200; user 2: A=4@100; user 3: C=1@50.
  const t = (day: number) => (withDates ? day * DAY : 0);
  return ratingsFromExternalIds(
    Int32Array.from([1, 1, 2, 3]),
    Int32Array.from([10, 20, 10, 30]),
    Float32Array.from([5, 3, 4, 1]),
    Uint32Array.from([t(100), t(200), t(100), t(50)]),
  );
}

test('scores, σ and eccentricity match a hand computation', () => {
  const release = indexRelease(tinyRelease(true));
  const aux = {
    movieIds: Int32Array.from([10, 20]),
    ratings: Float32Array.from([5, 3]),
    days: Float64Array.from([100, 210]),
  };
  const accumulator = new ScoreAccumulator(release.users);
  const result = scoreboardAttack(release, aux, accumulator);
  const wt = 1 / Math.log(2); // supp(A) = 2, supp(B) = 1 → max(2, ·) = 2 for both
  const s0 = wt * (1 + 1) + wt * (1 + Math.exp(-10 / 30));
  const s1 = wt * (Math.exp(-1 / 1.5) + 1);
  const scores = [s0, s1, 0];
  assert.ok(Math.abs(accumulator.scores[0] - s0) < 1e-12);
  assert.ok(Math.abs(accumulator.scores[1] - s1) < 1e-12);
  assert.equal(accumulator.scores[2], 0);
  const mean = (s0 + s1) / 3;
  const sigma = Math.sqrt(scores.reduce((sum, s) => sum + (s - mean) ** 2, 0) / 3);
  assert.equal(result.bestGuess, 0);
  assert.ok(Math.abs(result.eccentricity - (s0 - s1) / sigma) < 1e-9);
  assert.equal(result.declared, (s0 - s1) / sigma >= 1.5);
  assert.ok(result.entropyBits >= 0 && result.entropyBits <= Math.log2(3));
});

test('without dates in the release only the rating term counts', () => {
  const release = indexRelease(tinyRelease(false));
  assert.equal(release.hasDates, false);
  const aux = {
    movieIds: Int32Array.from([10, 20]),
    ratings: Float32Array.from([5, 3]),
    days: Float64Array.from([100, 210]),
  };
  const accumulator = new ScoreAccumulator(release.users);
  scoreboardAttack(release, aux, accumulator);
  const wt = 1 / Math.log(2);
  assert.ok(Math.abs(accumulator.scores[0] - 2 * wt) < 1e-12);
  assert.ok(Math.abs(accumulator.scores[1] - wt * Math.exp(-1 / 1.5)) < 1e-12);
});

test('a tie at the top is never declared a match; unknown movies score nothing', () => {
  const release = indexRelease(
    ratingsFromExternalIds(
      Int32Array.from([1, 2]),
      Int32Array.from([10, 10]),
      Float32Array.from([4, 4]),
      Uint32Array.from([DAY, DAY]),
    ),
  );
  const accumulator = new ScoreAccumulator(release.users);
  /** The attack by someone who knows one 4-star rating of `movieId` on day 1. */
  const attack = (movieId: number) =>
    scoreboardAttack(
      release,
      {
        movieIds: Int32Array.from([movieId]),
        ratings: Float32Array.from([4]),
        days: Float64Array.from([1]),
      },
      accumulator,
    );
  const tie = attack(10);
  assert.equal(tie.declared, false);
  assert.equal(tie.eccentricity, 0);
  const none = attack(99);
  assert.equal(none.bestGuess, -1);
  assert.equal(none.declared, false);
});

test('auxiliary knowledge: m − w true ratings with dates within ±D, w movies the target did not rate', () => {
  const dataset: Dataset = smallDataset({ users: 30, movies: 80, perUser: [20, 40], seed: 3 });
  const truth = indexTruth(dataset);
  const random = new Random(7);
  const { ratings } = dataset;
  for (let user = 0; user < 30; user++) {
    const rated = new Map<number, { rating: number; day: number }>();
    for (let r = 0; r < ratings.length; r++) {
      if (ratings.userIndex[r] === user)
        rated.set(ratings.itemIds.ids[ratings.itemIndex[r]], {
          rating: ratings.rating[r],
          day: ratings.timestamp[r] / DAY,
        });
    }
    const aux = drawAuxiliary(truth, user, { m: 8, w: 2, days: 14 }, random);
    assert.equal(aux.movieIds.length, 8);
    assert.equal(new Set(aux.movieIds).size, 8, 'aux movies are distinct');
    for (let a = 0; a < 6; a++) {
      const truthOf = rated.get(aux.movieIds[a]);
      assert.ok(truthOf, 'a correct aux item is one the target rated');
      assert.equal(aux.ratings[a], truthOf.rating);
      assert.ok(Math.abs(aux.days[a] - truthOf.day) <= 14);
    }
    for (let a = 6; a < 8; a++) {
      assert.ok(!rated.has(aux.movieIds[a]), 'a wrong aux item is a movie the target did not rate');
      assert.ok(aux.ratings[a] >= 1 && aux.ratings[a] <= 5 && Number.isInteger(aux.ratings[a]));
      assert.ok(aux.days[a] >= truth.span[0] / DAY && aux.days[a] <= truth.span[1] / DAY);
    }
    const noDates = drawAuxiliary(truth, user, { m: 4, w: 0, days: null }, random);
    assert.ok(noDates.days.every((day) => Number.isNaN(day)));
  }
});

test('the attack re-identifies an untouched release and is reproducible', () => {
  const dataset = smallDataset({ users: 200, movies: 300, perUser: [20, 60], seed: 5 });
  const truth = indexTruth(dataset);
  const release = indexRelease(dataset.ratings);
  const identity = Int32Array.from({ length: release.users }, (_, u) => u);
  const first = runScoreboard(truth, release, identity, { m: 6, w: 0, days: 14 });
  const second = runScoreboard(truth, release, identity, { m: 6, w: 0, days: 14 });
  assert.deepEqual(first, second);
  assert.ok(first.reidentified > 0.8, `re-identified ${first.reidentified}`);
  assert.ok(Math.abs(first.reidentified + first.wrongMatch + first.noMatch - 1) < 1e-12);
  assert.equal(first.targets, 200);
});

test('the knowledge curve reads each m from the first m of one draw, as a fresh attack on them would', () => {
  // A quarter of the records taken for another member's: their matches are judged by the share
  // of the record the target holds (judgeMatch), the rest by identity.
  const dataset = smallDataset({ users: 120, movies: 200, perUser: [20, 50], seed: 8 });
  const truth = indexTruth(dataset);
  const release = indexRelease(dataset.ratings);
  const originalOf = Int32Array.from({ length: release.users }, (_, u) =>
    u % 4 === 0 ? (u + 4) % release.users : u,
  );
  const holding = new RecordHolding(truth, dataset.ratings, originalOf);
  const targets = Int32Array.from({ length: release.users }, (_, u) => u);
  const ms = [1, 2, 3, 5, 8, 12];
  for (const days of [14, null]) {
    const curve = knowledgeCurve(truth, release, originalOf, targets, ms, days, holding);
    // The same draws, each prefix attacked from scratch.
    const random = new Random(SCOREBOARD_SEED);
    const accumulator = new ScoreAccumulator(release.users);
    const hits = ms.map(() => 0);
    for (const target of targets) {
      const aux = drawAuxiliary(truth, originalOf[target], { m: 12, w: 0, days }, random);
      ms.forEach((m, point) => {
        const first = {
          movieIds: aux.movieIds.slice(0, m),
          ratings: aux.ratings.slice(0, m),
          days: aux.days.slice(0, m),
        };
        const result = scoreboardAttack(release, first, accumulator, false);
        if (judgeMatch(result, target, first, holding).reidentified) hits[point]++;
      });
    }
    assert.deepEqual(
      curve,
      hits.map((h) => h / targets.length),
    );
    assert.ok(curve[5] > curve[0], `m = 12: ${curve[5]}, m = 1: ${curve[0]}`);
  }
});

test('target samples: every user up to the size, else a seeded sorted sample', () => {
  assert.equal(sampleTargets(300, 500).length, 300);
  const sample = sampleTargets(2000, 500);
  assert.equal(sample.length, 500);
  assert.equal(new Set(sample).size, 500);
  assert.deepEqual(sample, sampleTargets(2000, 500));
  assert.ok(sample.every((u, k) => k === 0 || u > sample[k - 1]));
  assert.equal(sampleTargets(2000, 'all').length, 2000);
});

test('the policy-aware adversary knows only ratings of movies the release keeps', () => {
  const dataset = smallDataset({ users: 60, movies: 200, perUser: [30, 60], seed: 5 });
  const truth = indexTruth(dataset);
  // A release that dropped every movie with an odd id (as suppression drops rare movies).
  const rows: number[] = [];
  for (let r = 0; r < dataset.ratings.length; r++)
    if (dataset.ratings.itemIds.ids[dataset.ratings.itemIndex[r]] % 2 === 0) rows.push(r);
  const pick = (column: ArrayLike<number>) => rows.map((r) => column[r]);
  const released = ratingsFromExternalIds(
    Int32Array.from(pick(dataset.ratings.userIndex), (u) => dataset.ratings.userIds.ids[u]),
    Int32Array.from(pick(dataset.ratings.itemIndex), (i) => dataset.ratings.itemIds.ids[i]),
    Float32Array.from(pick(dataset.ratings.rating)),
    Uint32Array.from(pick(dataset.ratings.timestamp)),
  );
  const known = Uint8Array.from(dataset.ratings.itemIds.ids, (id) => (id % 2 === 0 ? 1 : 0));
  const random = new Random(1);
  const setting = { m: 12, w: 0, days: null, policyAware: true };
  for (let user = 0; user < 60; user++) {
    const aux = drawAuxiliary(truth, user, setting, random, known);
    assert.ok(aux.movieIds.length > 0 && aux.movieIds.every((id) => id % 2 === 0));
  }
  // Without the restriction the same draws reach dropped movies.
  const blind = drawAuxiliary(truth, 0, { m: 12, w: 0, days: null }, new Random(1));
  assert.ok(blind.movieIds.some((id) => id % 2 === 1));
  // runScoreboard restricts a policy-aware setting by itself, and it re-identifies at least as
  // many as the blind adversary whose known movies were partly dropped.
  const release = indexRelease(released);
  const originalOfRelease = Int32Array.from(released.userIds.ids, (id) =>
    dataset.ratings.userIds.indexOf(id),
  );
  const aware = runScoreboard(truth, release, originalOfRelease, setting);
  const plain = runScoreboard(truth, release, originalOfRelease, { m: 12, w: 0, days: null });
  assert.equal(aware.name, 'm=12, w=0, no dates, policy-aware');
  assert.ok(
    aware.reidentified >= plain.reidentified,
    `${aware.reidentified} < ${plain.reidentified}`,
  );
});

test("a record that holds a target's ratings under another id re-identifies it too", () => {
  const dataset = smallDataset({ users: 200, movies: 300, perUser: [20, 60], seed: 5 });
  const truth = indexTruth(dataset);
  const { ratings } = dataset;
  const identity = Int32Array.from({ length: ratings.userIds.size }, (_, u) => u);
  // Every member's whole record published under the next member's id: no target is in its own
  // record, yet every confident match hands the adversary the target's ratings.
  const shifted = ratingsFromExternalIds(
    Int32Array.from(ratings.userIndex, (u) => ratings.userIds.ids[(u + 1) % ratings.userIds.size]),
    Int32Array.from(ratings.itemIndex, (i) => ratings.itemIds.ids[i]),
    ratings.rating,
    ratings.timestamp,
  );
  const setting = { m: 6, w: 0, days: 14 };
  const plain = runScoreboard(truth, indexRelease(ratings), identity, setting);
  const relabeled = runScoreboard(truth, indexRelease(shifted), identity, setting);
  assert.ok(relabeled.reidentified > 0.8, `re-identified ${relabeled.reidentified}`);
  assert.equal(relabeled.reidentified, plain.reidentified);

  // Judged by the record's id alone, the same matches would all be wrong.
  const release = indexRelease(shifted);
  const accumulator = new ScoreAccumulator(release.users);
  const random = new Random(3);
  let declared = 0;
  for (let target = 0; target < 50; target++) {
    const aux = drawAuxiliary(truth, target, setting, random);
    const result = scoreboardAttack(release, aux, accumulator);
    if (!result.declared) continue;
    declared++;
    assert.notEqual(result.bestGuess, target);
    const holding = new RecordHolding(truth, shifted, identity);
    assert.equal(holding.share(result.bestGuess, target, aux), 1);
    assert.deepEqual(judgeMatch(result, target, aux, holding), { reidentified: true, held: 1 });
    assert.deepEqual(judgeMatch(result, target, aux), { reidentified: false, held: 0 });
  }
  assert.ok(declared > 40, `${declared} declared`);
});

test('the held share counts same movie and value, beyond the movies the adversary knew', () => {
  // Truth: user 1 rated A=5, B=3, C=4; user 2 rated A=2, D=1.
  const truthRatings = ratingsFromExternalIds(
    Int32Array.from([1, 1, 1, 2, 2]),
    Int32Array.from([10, 20, 30, 10, 40]),
    Float32Array.from([5, 3, 4, 2, 1]),
    new Uint32Array(5),
  );
  const truth = indexTruth({ ratings: truthRatings, movies: [], users: [], scale: FIVE_STARS });
  // Release user 2's record: A=5 (known to the adversary), B=3 (user 1's), C=1 (another
  // value), D=1 (user 2's own).
  const release = ratingsFromExternalIds(
    Int32Array.from([1, 2, 2, 2, 2]),
    Int32Array.from([40, 10, 20, 30, 40]),
    Float32Array.from([1, 5, 3, 1, 1]),
    new Uint32Array(5),
  );
  const holding = new RecordHolding(truth, release, Int32Array.from([0, 1]));
  const aux = {
    movieIds: Int32Array.from([10]),
    ratings: Float32Array.from([5]),
    days: Float64Array.from([NaN]),
  };
  assert.equal(holding.share(1, 0, aux), 1 / 3);
  assert.equal(holding.share(1, 1, aux), 1 / 3);
  assert.equal(holding.share(0, 0, aux), 0);
});
