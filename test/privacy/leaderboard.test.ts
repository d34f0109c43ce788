import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIVE_STARS, ratingsFromExternalIds, type Dataset } from '../../src/datasets/dataset.ts';
import {
  LEADERBOARD,
  LEADERBOARD_MEMBERS,
  leaderboardInputs,
  measureResearchUtility,
} from '../../src/privacy/leaderboard.ts';
import { validatePolicy } from '../../src/privacy/policy.ts';
import { generateReadme } from '../../src/privacy/readme.ts';
import { releaseWithAudit } from '../../src/privacy/report.ts';
import { renderReportHtml } from '../../src/privacy/reportHtml.ts';
import { Random } from '../../src/util/random.ts';

/**
 * A planted dataset with a clear leaderboard: two taste groups of members and of movies (a member
 * rates movies of the own group 4–5, the others 1–2) and skewed popularity, so models of the
 * taste (item-knn, svd, als, ease) beat the bias and popularity baselines, by different margins.
 */
function planted(): Dataset {
  const random = new Random(3);
  const users: number[] = [];
  const items: number[] = [];
  const ratings: number[] = [];
  for (let u = 0; u < 150; u++) {
    for (let i = 0; i < 90; i++) {
      if (random.next() > 0.75 - i / 150) continue;
      users.push(100 + u);
      items.push(1 + i);
      const liked = u % 2 === i % 2;
      ratings.push(liked ? 4 + random.int(2) : 1 + random.int(2));
    }
  }
  return {
    ratings: ratingsFromExternalIds(
      Int32Array.from(users),
      Int32Array.from(items),
      Float32Array.from(ratings),
      Uint32Array.from(users, (_, k) => 956703932 + k * 60),
    ),
    movies: Array.from({ length: 90 }, (_, i) => ({
      id: i + 1,
      title: `Movie ${i + 1}`,
      year: 2000,
      genres: ['Drama'],
    })),
    users: [],
    scale: FIVE_STARS,
  };
}

const dataset = planted();

test('the leaderboard on identical data: τ = 1 and every relative error 0', () => {
  const inputs = leaderboardInputs(dataset.ratings, dataset.ratings, (id) => id, 1);
  const { value } = measureResearchUtility(inputs, FIVE_STARS, 1);
  assert.deepEqual(
    value.algorithms.map((row) => row.algorithm),
    LEADERBOARD.map((entry) => entry.algorithm),
  );
  assert.equal(value.members, 150);
  assert.equal(value.tau.rmse, 1);
  assert.equal(value.tau.ndcgAt10, 1);
  for (const row of value.algorithms) {
    assert.equal(row.relativeError.ndcgAt10, 0, row.algorithm);
    assert.ok(row.relativeError.rmse === null || row.relativeError.rmse === 0, row.algorithm);
  }
  // Every pair each side orders, each as firmly on both sides (the same data, the same draws):
  // the 4 rating predictors' 6 pairs and the 6 algorithms' 15 (no two score alike here).
  const pairs = value.pairs!;
  assert.equal(pairs.filter((pair) => pair.metric === 'rmse').length, 6);
  assert.equal(pairs.filter((pair) => pair.metric === 'ndcgAt10').length, 15);
  for (const pair of pairs) assert.equal(pair.released, pair.untransformed, JSON.stringify(pair));
  // The taste models' lead over the bias model is far beyond the test sample's noise.
  const order = (first: string, second: string) =>
    pairs.find((pair) => pair.metric === 'rmse' && pair.first === first && pair.second === second);
  assert.ok(order('svd', 'bias')!.untransformed >= 0.99, JSON.stringify(order('svd', 'bias')));
  assert.equal(order('bias', 'svd'), undefined);
});

test('every member up to LEADERBOARD_MEMBERS, beyond them a seeded sample, the same on both sides', () => {
  const members = LEADERBOARD_MEMBERS + 500;
  const users = Int32Array.from({ length: 2 * members }, (_, k) => 1 + (k >> 1));
  const items = Int32Array.from(users, (_, k) => 1 + (k % 2) + ((k >> 1) % 40));
  const many = ratingsFromExternalIds(
    users,
    items,
    Float32Array.from(users, (_, k) => 1 + (k % 5)),
    new Uint32Array(users.length),
  );
  const memberIds = (ratings: typeof many) =>
    [...new Set(ratings.userIds.ids)].sort((a, b) => a - b);
  const first = leaderboardInputs(many, many, (id) => id, 1);
  assert.equal(first.members, LEADERBOARD_MEMBERS);
  assert.deepEqual(memberIds(first.released), memberIds(first.untransformed));
  assert.equal(first.released.length, 2 * LEADERBOARD_MEMBERS);
  // Another seed, another sample; the whole of a smaller release is taken (planted: 150).
  const second = leaderboardInputs(many, many, (id) => id, 2);
  assert.notDeepEqual(memberIds(second.released), memberIds(first.released));
  assert.equal(leaderboardInputs(dataset.ratings, dataset.ratings, (id) => id, 1).members, 150);
});

test('ratings scrambled among the rows break the leaderboard order (τ low)', () => {
  const random = new Random(9);
  const scrambled = { ...dataset.ratings, rating: random.shuffle(dataset.ratings.rating.slice()) };
  const inputs = leaderboardInputs(scrambled, dataset.ratings, (id) => id, 1);
  const { value } = measureResearchUtility(inputs, FIVE_STARS, 1);
  // On the truth the taste models predict far better than the bias model; on noise none does.
  const row = (name: string) => value.algorithms.find((entry) => entry.algorithm === name)!;
  assert.ok(row('svd').untransformed.rmse! < 0.7 * row('bias').untransformed.rmse!);
  assert.ok(value.tau.rmse <= 0, `τ (RMSE) ${value.tau.rmse}`);
  assert.ok(value.tau.ndcgAt10 < 1, `τ (nDCG@10) ${value.tau.ndcgAt10}`);
  assert.ok(row('svd').relativeError.rmse! > 1, `svd RMSE error ${row('svd').relativeError.rmse}`);
});

// Through the pipeline: `naive` transforms nothing but the ids; a uniform perturbation of every
// rating scrambles them. No gate here: the measure, not the protection, is under test.
const measure = (document: Record<string, unknown>) =>
  releaseWithAudit(
    dataset,
    validatePolicy({
      ...document,
      gate: { maxReidentified: 1, maxReidentifiedStronger: 1, targets: 50 },
    }),
    { seed: 4, format: 'ml-latest', knowledgeCurve: false },
  ).report;

test('a release that only renames members keeps the leaderboard exactly (τ = 1, errors 0)', () => {
  const report = measure({ extends: 'naive' });
  const research = report.researchUtility!;
  assert.equal(research.tau.rmse, 1);
  assert.equal(research.tau.ndcgAt10, 1);
  assert.ok(research.algorithms.every((row) => row.relativeError.ndcgAt10 === 0));
  assert.equal(research.releasedRatings, research.untransformedRatings);
});

test('a release with every rating replaced at random breaks the rating leaderboard', () => {
  const report = measure({
    extends: 'naive',
    ratings: { perturbation: { probability: 1, method: 'uniform' } },
  });
  const research = report.researchUtility!;
  assert.ok(research.tau.rmse <= 0, `τ (RMSE) ${research.tau.rmse}`);
  assert.ok(research.algorithms.some((row) => (row.relativeError.rmse ?? 0) > 1));
});

test('the research utility is in the report page and the release README, next to the model utility', () => {
  const result = releaseWithAudit(
    dataset,
    validatePolicy({
      extends: 'naive',
      gate: { maxReidentified: 1, maxReidentifiedStronger: 1, targets: 50 },
    }),
    { seed: 4, format: 'ml-latest', knowledgeCurve: false, frontier: true },
  );
  const { report } = result;
  const html = renderReportHtml(report);
  assert.match(html, /<h2>Research utility \(leaderboard\)<\/h2>/);
  assert.match(html, /<h2>Utility<\/h2>/);
  assert.match(html, /Research utility across the presets/);
  assert.match(html, /not to be compared on this release: RMSE: none\. nDCG@10: none\./);
  assert.ok(report.frontier.every((point) => point.leaderboardTau !== null));
  const readme = generateReadme(result.published, report, 'ml-latest');
  assert.match(readme, /Research utility: a fixed leaderboard/);
  assert.match(readme, /Kendall tau-b, 1 = same\): RMSE 1\.00, nDCG@10 1\.00/);
  assert.match(readme, /RMSE: every pair in the true order\./);
  assert.match(
    readme,
    /How firmly the true data orders each pair: in 1000 resamples of the members/,
  );
  assert.match(html, /How firmly the true data orders each pair \(a paired bootstrap/);
  assert.match(readme, /Utility: model svd/);

  // A release that put als ahead of item-knn on RMSE says so, and names only that pair.
  const research = report.researchUtility!;
  const row = (name: string) => research.algorithms.find((entry) => entry.algorithm === name)!;
  const [knn, als] = [row('item-knn'), row('als')];
  const truthKnnAhead = knn.untransformed.rmse! < als.untransformed.rmse!;
  const [ahead, behind] = truthKnnAhead ? [als, knn] : [knn, als];
  const swapped = {
    ...report,
    researchUtility: {
      ...research,
      algorithms: research.algorithms.map((entry) =>
        entry === ahead
          ? { ...entry, released: { ...entry.released, rmse: behind.untransformed.rmse! - 0.01 } }
          : entry === behind
            ? { ...entry, released: { ...entry.released, rmse: behind.untransformed.rmse! } }
            : entry,
      ),
    },
  };
  const told = generateReadme(result.published, swapped, 'ml-latest');
  const line = told.split('\n').find((text) => text.startsWith('RMSE: in another order'));
  assert.ok(line, 'the README names the reordered pair');
  // With how firmly the true data orders the pair: the share of the bootstrap's draws.
  const truth = research.pairs!.find(
    (pair) =>
      pair.metric === 'rmse' && pair.first === behind.algorithm && pair.second === ahead.algorithm,
  )!;
  const firmness = `${Math.round(truth.untransformed * 100)}% of resamples`;
  assert.ok(
    line.includes(
      `${ahead.algorithm} ahead of ${behind.algorithm} (true: ${behind.algorithm} ahead in ${firmness})`,
    ),
    line,
  );
  assert.equal(line.split(' ahead of ').length - 1, 1, line);
  assert.match(told, /nDCG@10: every pair in the true order\./);
  assert.ok(
    renderReportHtml(swapped).includes(
      `RMSE: ${ahead.algorithm} ahead of ${behind.algorithm} (true: ${behind.algorithm} ahead in ${firmness}). nDCG@10: none.`,
    ),
  );
});
