/**
 * The utility of a release: the policy's utility model (`utility.algorithm`, default `svd`)
 * trained on the released data and tested on the held-back true ratings (RMSE, and nDCG@10 with
 * relevant = held-back items rated ≥ 4), next to the same model trained on the untransformed
 * data. The two fits are independent: `releaseWithAuditConcurrently` runs them on worker threads
 * (utilityWorker.ts) through `fitUtilityModel` and `scoreUtility`, the same code as here.
 */
import type { RatingScale, Ratings } from '../datasets/dataset.ts';
import { DEFAULT_ALGORITHM, fitAlgorithm, ndcgAt, rmse, type Model } from '../recsys/index.ts';
import { Random } from '../util/random.ts';
import { rowsByUser } from './columns.ts';

export interface UtilityScores {
  rmse: number;
  ndcgAt10: number;
}

export interface UtilityResult {
  algorithm: string;
  testRatings: number;
  /** Users whose nDCG@10 was averaged (all of them up to rankingUsers, a seeded sample beyond). */
  rankingUsers: number;
  released: UtilityScores;
  untransformed: UtilityScores;
}

/** Relevant held-back ratings are ≥ this (BENCHMARKS.md holdout20 convention). */
const RELEVANT = 4;

/**
 * The held-back ratings a model is tested on, grouped by user: group g holds rows
 * start[g]..start[g+1]-1 of user users[g] (an id of the model's training data), and is ranked for
 * nDCG@10 when ranked[g] is 1.
 */
export interface UtilityTest {
  users: Int32Array;
  start: Int32Array;
  movieIds: Int32Array;
  rating: Float32Array;
  ranked: Uint8Array;
}

/** The recommender a policy's `utility.algorithm` names ("default": recsys's DEFAULT_ALGORITHM). */
export function utilityAlgorithm(name: string): string {
  return name === 'default' ? DEFAULT_ALGORITHM : name;
}

export function fitUtilityModel(
  train: Ratings,
  algorithm: string,
  scale: RatingScale,
  seed: number,
): Model {
  return fitAlgorithm(utilityAlgorithm(algorithm), train, {}, { seed, scale });
}

/** RMSE over every test rating, and mean nDCG@10 over the ranked users with a relevant item. */
export function scoreUtility(model: Model, test: UtilityTest): UtilityScores {
  const n = test.movieIds.length;
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  for (let g = 0; g + 1 < test.start.length; g++) {
    const user = model.userIndexOf(test.users[g]);
    for (let r = test.start[g]; r < test.start[g + 1]; r++) {
      users[r] = user;
      items[r] = model.itemIndexOf(test.movieIds[r]);
    }
  }
  const predicted = model.predictMany(users, items);
  let ndcgSum = 0;
  let ranked = 0;
  const relevant = new Set<number>();
  for (let g = 0; g + 1 < test.start.length; g++) {
    if (!test.ranked[g]) continue;
    relevant.clear();
    for (let r = test.start[g]; r < test.start[g + 1]; r++)
      if (test.rating[r] >= RELEVANT && items[r] >= 0) relevant.add(items[r]);
    if (relevant.size === 0) continue;
    const user = model.userIndexOf(test.users[g]);
    const list = model.recommend(user, 10).map((scored) => scored.item);
    ndcgSum += ndcgAt(list, relevant, 10);
    ranked++;
  }
  return { rmse: rmse(predicted, test.rating), ndcgAt10: ranked === 0 ? 0 : ndcgSum / ranked };
}

export interface UtilityTests {
  /** The test as the released model knows its users (release ids). */
  released: UtilityTest;
  /** The same rows with live ids, for the model trained on the untransformed data. */
  untransformed: UtilityTest;
  testRatings: number;
  rankingUsers: number;
}

/**
 * Members ranked for nDCG@10: all of them up to this many. nDCG@10 of sparse data is a small
 * number with a wide spread between members, so a sample of 1,000 moved the share a release
 * keeps by tens of points from seed to seed (README: "`default` over seeds").
 */
export const RANKING_USERS = 10_000;

/**
 * The utility test: the held-back ratings of the members present in the release (for both
 * models), and at most `rankingUsers` of them (a seeded sample beyond) ranked for nDCG@10.
 */
export function utilityTests(
  heldOut: Ratings,
  releaseIdOf: (liveId: number) => number | undefined,
  seed: number,
  rankingUsers = RANKING_USERS,
): UtilityTests {
  const byUser = rowsByUser(heldOut);
  const present: number[] = [];
  let rows = 0;
  for (let u = 0; u < heldOut.userIds.size; u++) {
    if (releaseIdOf(heldOut.userIds.ids[u]) === undefined) continue;
    present.push(u);
    rows += byUser.start[u + 1] - byUser.start[u];
  }
  const random = new Random(seed);
  const candidates = [...present];
  random.shuffle(candidates);
  const sample = new Set(candidates.slice(0, rankingUsers));
  const groups = present.length;
  const start = new Int32Array(groups + 1);
  const liveIds = new Int32Array(groups);
  const releaseIds = new Int32Array(groups);
  const ranked = new Uint8Array(groups);
  const movieIds = new Int32Array(rows);
  const rating = new Float32Array(rows);
  let next = 0;
  present.forEach((u, g) => {
    liveIds[g] = heldOut.userIds.ids[u];
    releaseIds[g] = releaseIdOf(liveIds[g]) as number;
    ranked[g] = sample.has(u) ? 1 : 0;
    start[g] = next;
    for (let k = byUser.start[u]; k < byUser.start[u + 1]; k++) {
      const r = byUser.order[k];
      movieIds[next] = heldOut.itemIds.ids[heldOut.itemIndex[r]];
      rating[next] = heldOut.rating[r];
      next++;
    }
  });
  start[groups] = next;
  return {
    released: { users: releaseIds, start, movieIds, rating, ranked },
    untransformed: { users: liveIds, start, movieIds, rating, ranked },
    testRatings: rows,
    rankingUsers: sample.size,
  };
}

export interface UtilityInput {
  released: Ratings;
  untransformed: Ratings;
  heldOut: Ratings;
  scale: RatingScale;
  /** Release id of a live user id (the mapping), for the released model. */
  releaseIdOf: (liveId: number) => number | undefined;
  seed: number;
  /** At most this many users are ranked for nDCG@10 (default RANKING_USERS). */
  rankingUsers?: number;
  /** Recommender name (the policy's utility.algorithm; "default" is recsys's DEFAULT_ALGORITHM). */
  algorithm: string;
}

/** The utility measure on this thread (both fits in turn). */
export function measureUtility(input: UtilityInput): UtilityResult {
  const tests = utilityTests(input.heldOut, input.releaseIdOf, input.seed, input.rankingUsers);
  const fit = (train: Ratings) => fitUtilityModel(train, input.algorithm, input.scale, input.seed);
  return {
    algorithm: utilityAlgorithm(input.algorithm),
    testRatings: tests.testRatings,
    rankingUsers: tests.rankingUsers,
    released: scoreUtility(fit(input.released), tests.released),
    untransformed: scoreUtility(fit(input.untransformed), tests.untransformed),
  };
}
