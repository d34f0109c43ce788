import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { FIVE_STARS, ratingsFromExternalIds, type Dataset } from '../../src/datasets/dataset.ts';
import { heldOutTasteFit } from '../../src/privacy/memberGroups.ts';
import { presetPolicy, ratingsCandidates } from '../../src/privacy/policy.ts';
import { describeTasteChoice, generateReadme } from '../../src/privacy/readme.ts';
import { releaseDataset } from '../../src/privacy/release.ts';
import { appliedRatings } from '../../src/privacy/tasteChoice.ts';
import { releaseWithAudit } from '../../src/privacy/report.ts';
import { readReleaseOutcome, writeRelease } from '../../src/services/releases.ts';
import { Random } from '../../src/util/random.ts';
import { tempDir } from '../helpers/files.ts';
import { LENIENT_GATE, lenientPolicy } from './helpers.ts';

/** Members × movies rated by `value(u, movie)`, each member rating `perUser` random movies. */
function dataset(
  users: number,
  movies: number,
  perUser: number,
  value: (u: number, movie: number) => number,
  seed: number,
): Dataset {
  const random = new Random(seed);
  const u: number[] = [];
  const m: number[] = [];
  const v: number[] = [];
  for (let member = 0; member < users; member++) {
    const order = Array.from({ length: movies }, (_, k) => k);
    random.shuffle(order);
    for (const movie of order.slice(0, perUser)) {
      u.push(member + 1);
      m.push(movie + 1);
      v.push(Math.min(5, Math.max(1, Math.round(value(member, movie)))));
    }
  }
  const ratings = ratingsFromExternalIds(
    Int32Array.from(u),
    Int32Array.from(m),
    Float32Array.from(v),
    Uint32Array.from(u, (_, k) => 956703932 + k * 3600),
  );
  const titles = Array.from({ length: movies }, (_, k) => ({
    id: k + 1,
    title: `Movie ${k + 1}`,
    year: 1995,
    genres: ['Drama'],
  }));
  return { ratings, movies: titles, users: [], scale: FIVE_STARS };
}

// Movies in pairs (1–2, 3–4, …) that every member rates alike, at random otherwise: what one
// movie says of its pair is item-kNN's to find, and no few factors hold it.
const pairRandom = new Random(3);
const pairValues = Array.from({ length: 300 }, () =>
  Array.from({ length: 60 }, () => 1 + pairRandom.int(5)),
);
const paired = dataset(300, 120, 80, (u, movie) => pairValues[u][movie >> 1], 4);

// Two tastes and two movie traits: what ALS fits, with noise item-kNN's neighbours average less well.
const factorRandom = new Random(5);
const memberTaste = Array.from({ length: 300 }, () => [
  factorRandom.normal(),
  factorRandom.normal(),
]);
const movieTrait = Array.from({ length: 120 }, () => [
  factorRandom.normal(),
  factorRandom.normal(),
]);
const lowRank = dataset(
  300,
  120,
  60,
  (u, movie) =>
    3.2 +
    0.9 * (memberTaste[u][0] * movieTrait[movie][0] + memberTaste[u][1] * movieTrait[movie][1]) +
    0.6 * factorRandom.normal(),
  6,
);

test('the held-out fit tells which taste model predicts the members: item-kNN on paired movies, ALS on two tastes', () => {
  const [alsOnPairs, knnOnPairs] = heldOutTasteFit(
    paired.ratings,
    ['als', 'item-knn'],
    1,
    FIVE_STARS,
  );
  assert.ok(knnOnPairs < alsOnPairs - 0.1, `item-kNN ${knnOnPairs}, ALS ${alsOnPairs}`);
  const [alsOnTastes, knnOnTastes] = heldOutTasteFit(
    lowRank.ratings,
    ['als', 'item-knn'],
    1,
    FIVE_STARS,
  );
  assert.ok(alsOnTastes < knnOnTastes, `ALS ${alsOnTastes}, item-kNN ${knnOnTastes}`);
});

test('a release with an alternative swaps by the taste model that predicts its members best, with that candidate’s settings', () => {
  const policy = lenientPolicy({});
  const [own, alternative] = ratingsCandidates(policy.ratings);
  assert.equal(own.swap.plausibility, 'als');
  assert.equal(alternative.swap.plausibility, 'item-knn');
  for (const [data, expected] of [
    [paired, 1],
    [lowRank, 0],
  ] as const) {
    const release = releaseDataset(data, policy, { seed: 1 });
    const choice = release.summary.tasteChoice!;
    assert.deepEqual(
      choice.candidates.map((candidate) => candidate.plausibility),
      ['als', 'item-knn'],
    );
    const rmse = choice.candidates.map((candidate) => candidate.heldOutRmse);
    assert.equal(choice.chosen, expected, `held-out RMSE ${rmse.join(' / ')}`);
    assert.equal(rmse[choice.chosen], Math.min(...rmse));
    // The ladder and the deals are the chosen candidate's: its steps, its σ.
    const applied = appliedRatings(policy, release.summary.tasteChoice);
    assert.equal(applied.swap.plausibility, expected === 1 ? 'item-knn' : 'als');
    const steps = release.summary.calibration;
    assert.ok(steps.every((step) => step.popularShare! <= applied.swap.popularShare + 1e-9));
    assert.equal(steps[0].popularShare, applied.swap.popularShare / applied.calibration.steps);
    assert.equal(steps[0].popularSigma, applied.swap.popularSigma);
    // Released alike with the choice made by hand (the alternative alone, or none).
    const byHand = lenientPolicy({
      ratings: {
        riskTargeting: { enabled: false },
        ...(expected === 1 ? { calibration: { steps: 5 }, swap: alternative.swap } : {}),
        alternatives: [],
      },
    });
    const same = releaseDataset(data, byHand, { seed: 1 });
    assert.equal(same.summary.tasteChoice, null);
    assert.deepEqual(same.dataset.ratings.rating, release.dataset.ratings.rating);
    assert.deepEqual(same.dataset.ratings.userIndex, release.dataset.ratings.userIndex);
  }
});

test('the release README names the taste model the swap dealt by, and why', () => {
  const policy = { ...presetPolicy('default'), gate: { ...LENIENT_GATE, targets: 'all' as const } };
  const result = releaseWithAudit(paired, policy, { seed: 1, format: 'ml-1m' });
  const { published, report } = result;
  const choice = report.summary!.tasteChoice!;
  const readme = generateReadme(published, report, 'ml-1m');
  const [als, knn] = choice.candidates.map((candidate) => candidate.heldOutRmse.toFixed(4));
  assert.ok(
    readme.includes("each rating to a member whose taste it fits by item-kNN's predictions"),
  );
  assert.ok(
    readme.includes(
      `- The swap's taste model was chosen by the data: item-kNN (held-out RMSE ${knn}; ALS ${als}) predicted a held-out tenth of these members' ratings best`,
    ),
    readme,
  );
  // The policy section lists the alternative it chose among.
  assert.match(readme, /ratings\.alternatives\.0\.swap\.plausibility: item-knn/);
  // The console lists it beside the release's utility.
  const out = join(tempDir('lenslab-taste-'), 'release');
  writeRelease(result, { out, overwrite: false });
  const outcome = readReleaseOutcome(out)!;
  assert.equal(outcome.tasteModel, describeTasteChoice(choice));
  assert.match(outcome.tasteModel!, /^item-kNN \(held-out RMSE \d\.\d{4}; ALS \d\.\d{4}\)$/);
});
