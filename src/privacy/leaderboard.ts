/**
 * Research utility: researchers take a release to compare algorithms, so a release is useful when
 * a fixed leaderboard ranks the algorithms on it as it would on the true data. The leaderboard
 * (LEADERBOARD: popular, bias, item-knn, svd, als, ease, modest parameters) runs on the released
 * ratings and on the untransformed ratings of the same members, each split by the same protocol
 * (20% of each member's ratings held out, seeded): RMSE for the rating predictors (rating
 * protocol), nDCG@10 for all six (top-N protocol, relevant = held out and rated ≥ 4). Each metric
 * is reported on both sides with its relative error, and Kendall's τ-b says whether the algorithms
 * come out in the same order.
 *
 * To stay within a release's time budget (EASE inverts an items × items matrix), both sides are
 * cut to the LEADERBOARD_MOVIES movies the members rated most (counted on the untransformed side)
 * and, in data larger than ML-1M, to a fixed seeded sample of LEADERBOARD_MEMBERS members.
 */
import { ratingsFromExternalIds, type RatingScale, type Ratings } from '../datasets/dataset.ts';
import {
  evaluateRanking,
  evaluateRatings,
  fitAlgorithm,
  getAlgorithm,
  perUserHoldout,
  type Params,
} from '../recsys/index.ts';
import { Random } from '../util/random.ts';
import { groupRows } from './columns.ts';
import { kendallTauB } from './kendall.ts';
import { aheadShares } from './pairOrder.ts';

/** The algorithms, in table order, with modest parameters (32 factors) to keep a release fast. */
export const LEADERBOARD: ReadonlyArray<{ algorithm: string; params: Params }> = [
  { algorithm: 'popular', params: {} },
  { algorithm: 'bias', params: {} },
  { algorithm: 'item-knn', params: {} },
  { algorithm: 'svd', params: { factors: 32, epochs: 20 } },
  { algorithm: 'als', params: { factors: 32, iterations: 10 } },
  { algorithm: 'ease', params: {} },
];
/**
 * Every released member up to this many: on a sample of 1,000 the true data was too sparse to
 * order the rating predictors firmly, and a release's order of them was chance (README: "The
 * leaderboard's members"); ML-1M's 6,040 members cost a 1M-rating release about 5 s on two cores.
 */
export const LEADERBOARD_MEMBERS = 10_000;
export const LEADERBOARD_MOVIES = 1000;
/** Share of each member's ratings the leaderboard's protocols hold out. */
const TEST_SHARE = 0.2;

export interface LeaderboardEntry {
  algorithm: string;
  /** null for ranking-only algorithms (popular, ease). */
  rmse: number | null;
  ndcgAt10: number;
  /**
   * Per test member, in the same order for every algorithm of one side: the sum of squared
   * errors (null for ranking-only algorithms) and nDCG@10 (members with a relevant held-out
   * movie), for the bootstrap of pairOrder.ts.
   */
  squaredErrors: Float64Array | null;
  ndcgs: Float64Array;
}

export interface LeaderboardScores {
  ratings: number;
  entries: LeaderboardEntry[];
  seconds: number;
}

/** The leaderboard on one dataset: each algorithm fitted on the same split, on this thread. */
export function runLeaderboard(
  ratings: Ratings,
  scale: RatingScale,
  seed: number,
): LeaderboardScores {
  const started = performance.now();
  const fold = perUserHoldout(ratings, TEST_SHARE, seed);
  const entries = LEADERBOARD.map(({ algorithm, params }): LeaderboardEntry => {
    // One thread each: the two sides already run on their own worker threads.
    const model = fitAlgorithm(algorithm, fold.train, params, { seed, scale, threads: 1 });
    const rated =
      getAlgorithm(algorithm).kind === 'rating' ? evaluateRatings(model, fold.test) : null;
    const ranked = evaluateRanking(model, fold.test, { depth: 10 });
    return {
      algorithm,
      rmse: rated ? rated.metrics.rmse : null,
      ndcgAt10: ranked.metrics['ndcg@10'],
      squaredErrors: rated
        ? Float64Array.from(rated.perUser, (member) => member.rmse ** 2 * member.count)
        : null,
      ndcgs: Float64Array.from(ranked.perUser, (member) => member['ndcg@10']),
    };
  });
  return { ratings: ratings.length, entries, seconds: (performance.now() - started) / 1000 };
}

export interface LeaderboardInputs {
  released: Ratings;
  /** The same members' untransformed ratings, under their release ids. */
  untransformed: Ratings;
  members: number;
  movies: number;
}

/**
 * The rows of users with a new id (newId[user index] ≥ 0) on kept movies, as compact Ratings under
 * the new ids, sorted by (user, movie).
 */
function restrict(ratings: Ratings, newId: Int32Array, movies: ReadonlySet<number>): Ratings {
  const ids = ratings.itemIds.ids;
  const keptItem = Uint8Array.from(ids, (id) => (movies.has(id) ? 1 : 0));
  const kept: number[] = [];
  for (let r = 0; r < ratings.length; r++)
    if (newId[ratings.userIndex[r]] >= 0 && keptItem[ratings.itemIndex[r]]) kept.push(r);
  // Sorted by (user, movie) in two stable counting sorts, by the movie's rank then by user (plain
  // loops: a typed array's `from` with a mapping function is slow on a million rows).
  const n = kept.length;
  const rank = new Int32Array(ids.length);
  Int32Array.from(ids.keys())
    .sort((a, b) => ids[a] - ids[b])
    .forEach((item, k) => (rank[item] = k));
  const keys = new Int32Array(n);
  for (let k = 0; k < n; k++) keys[k] = rank[ratings.itemIndex[kept[k]]];
  const byMovie = groupRows(keys, ids.length).order;
  let users = 0;
  for (const id of newId) users = Math.max(users, id + 1);
  for (let k = 0; k < n; k++) keys[k] = newId[ratings.userIndex[kept[byMovie[k]]]];
  const byUser = groupRows(keys, users).order;
  const userIds = new Int32Array(n);
  const movieIds = new Int32Array(n);
  const rating = new Float32Array(n);
  const timestamp = new Uint32Array(n);
  for (let k = 0; k < n; k++) {
    const r = kept[byMovie[byUser[k]]];
    userIds[k] = newId[ratings.userIndex[r]];
    movieIds[k] = ids[ratings.itemIndex[r]];
    rating[k] = ratings.rating[r];
    timestamp[k] = ratings.timestamp[r];
  }
  return ratingsFromExternalIds(userIds, movieIds, rating, timestamp);
}

/**
 * Both sides of the leaderboard over the same members and movies: a seeded sample of the members
 * present in both, and the movies they rated most in the untransformed data. The untransformed
 * side takes the members' release ids, so identical data on both sides gives identical inputs.
 */
export function leaderboardInputs(
  released: Ratings,
  untransformed: Ratings,
  releaseIdOf: (liveId: number) => number | undefined,
  seed: number,
): LeaderboardInputs {
  const candidates: number[] = [];
  for (const id of untransformed.userIds.ids) {
    const releaseId = releaseIdOf(id);
    if (releaseId !== undefined && released.userIds.indexOf(releaseId) >= 0)
      candidates.push(releaseId);
  }
  candidates.sort((a, b) => a - b);
  new Random(seed).shuffle(candidates);
  const members = new Set(candidates.slice(0, LEADERBOARD_MEMBERS));
  const memberId = (releaseId: number | undefined) =>
    releaseId !== undefined && members.has(releaseId) ? releaseId : -1;
  const releasedId = Int32Array.from(released.userIds.ids, memberId);
  const untransformedId = Int32Array.from(untransformed.userIds.ids, (id) =>
    memberId(releaseIdOf(id)),
  );
  const counts = new Int32Array(untransformed.itemIds.size);
  for (let r = 0; r < untransformed.length; r++)
    if (untransformedId[untransformed.userIndex[r]] >= 0) counts[untransformed.itemIndex[r]]++;
  const ranked: number[] = [];
  for (let i = 0; i < counts.length; i++) if (counts[i] > 0) ranked.push(i);
  ranked.sort((a, b) => counts[b] - counts[a] || a - b);
  const movies = new Set(
    ranked.slice(0, LEADERBOARD_MOVIES).map((i) => untransformed.itemIds.ids[i]),
  );
  return {
    released: restrict(released, releasedId, movies),
    untransformed: restrict(untransformed, untransformedId, movies),
    members: members.size,
    movies: movies.size,
  };
}

export interface ResearchUtilityRow {
  algorithm: string;
  released: { rmse: number | null; ndcgAt10: number };
  untransformed: { rmse: number | null; ndcgAt10: number };
  /** (released − untransformed) / untransformed, per metric. */
  relativeError: { rmse: number | null; ndcgAt10: number };
}

/** How firmly each side orders one pair of algorithms on one metric (pairOrder.ts). */
export interface PairOrder {
  metric: 'rmse' | 'ndcgAt10';
  /** The algorithm ahead on the untransformed data, and the one behind it. */
  first: string;
  second: string;
  /** Shares of the bootstrap's draws in which `first` is ahead of `second`, on each side. */
  untransformed: number;
  released: number;
}

export interface ResearchUtility {
  members: number;
  movies: number;
  releasedRatings: number;
  untransformedRatings: number;
  algorithms: ResearchUtilityRow[];
  /** Kendall τ-b between the two sides' scores: RMSE over the rating predictors, nDCG@10 over all. */
  tau: { rmse: number; ndcgAt10: number };
  /**
   * Every pair the untransformed data orders, per metric, with how firmly each side orders it
   * (absent in reports written before it was measured).
   */
  pairs?: PairOrder[];
}

/** A true order held in at least this share of the draws is firm; below, it is the sample's. */
export const FIRM_ORDER = 0.95;

/** The bootstrap's seed: fixed, so that a report is reproducible. */
const BOOTSTRAP_SEED = 1;

/** Every pair the untransformed side orders on one metric, with both sides' shares. */
function pairOrders(
  metric: PairOrder['metric'],
  released: LeaderboardScores,
  untransformed: LeaderboardScores,
): PairOrder[] {
  const figures = (scores: LeaderboardScores) =>
    scores.entries.flatMap((entry) => {
      const perMember = metric === 'rmse' ? entry.squaredErrors : entry.ndcgs;
      return perMember ? [perMember] : [];
    });
  const lowerIsBetter = metric === 'rmse';
  const truthShares = aheadShares(figures(untransformed), lowerIsBetter, BOOTSTRAP_SEED);
  const releaseShares = aheadShares(figures(released), lowerIsBetter, BOOTSTRAP_SEED);
  const entries = untransformed.entries.filter((entry) => entry[metric] !== null);
  const n = entries.length;
  const pairs: PairOrder[] = [];
  for (let a = 0; a < n; a++)
    for (let b = 0; b < n; b++) {
      const [x, y] = [entries[a][metric]!, entries[b][metric]!];
      if (lowerIsBetter ? x >= y : x <= y) continue;
      pairs.push({
        metric,
        first: entries[a].algorithm,
        second: entries[b].algorithm,
        untransformed: truthShares[a * n + b],
        released: releaseShares[a * n + b],
      });
    }
  return pairs;
}

const relative = (released: number, untransformed: number) =>
  (released - untransformed) / untransformed;

export function compareLeaderboards(
  inputs: Pick<LeaderboardInputs, 'members' | 'movies'>,
  released: LeaderboardScores,
  untransformed: LeaderboardScores,
): ResearchUtility {
  const algorithms = released.entries.map((entry, k): ResearchUtilityRow => {
    const truth = untransformed.entries[k];
    return {
      algorithm: entry.algorithm,
      released: { rmse: entry.rmse, ndcgAt10: entry.ndcgAt10 },
      untransformed: { rmse: truth.rmse, ndcgAt10: truth.ndcgAt10 },
      relativeError: {
        rmse: entry.rmse === null || truth.rmse === null ? null : relative(entry.rmse, truth.rmse),
        ndcgAt10: relative(entry.ndcgAt10, truth.ndcgAt10),
      },
    };
  });
  const rated = algorithms.filter((row) => row.released.rmse !== null);
  return {
    members: inputs.members,
    movies: inputs.movies,
    releasedRatings: released.ratings,
    untransformedRatings: untransformed.ratings,
    algorithms,
    tau: {
      rmse: kendallTauB(
        rated.map((row) => row.released.rmse as number),
        rated.map((row) => row.untransformed.rmse as number),
      ),
      ndcgAt10: kendallTauB(
        algorithms.map((row) => row.released.ndcgAt10),
        algorithms.map((row) => row.untransformed.ndcgAt10),
      ),
    },
    pairs: [
      ...pairOrders('rmse', released, untransformed),
      ...pairOrders('ndcgAt10', released, untransformed),
    ],
  };
}

const percent = (share: number) => `${Math.round(share * 100)}%`;

/**
 * The pairs of algorithms this release orders otherwise than the untransformed data on one
 * metric (lower is better for RMSE, higher for nDCG@10), as "a ahead of b (true: b ahead in 97%
 * of resamples)": the share says how firmly the true data orders them (pairOrder.ts).
 */
function reorderedPairs(r: ResearchUtility, metric: PairOrder['metric']): string[] {
  const rows = r.algorithms.filter((row) => row.released[metric] !== null);
  const better = metric === 'rmse' ? -1 : 1;
  const pairs: string[] = [];
  for (const [k, a] of rows.entries())
    for (const b of rows.slice(k + 1)) {
      const released = Math.sign((a.released[metric]! - b.released[metric]!) * better);
      const truth = Math.sign((a.untransformed[metric]! - b.untransformed[metric]!) * better);
      if (released === 0 || truth === 0 || released === truth) continue;
      const [first, second] = released > 0 ? [a, b] : [b, a];
      const order = r.pairs?.find(
        (pair) =>
          pair.metric === metric &&
          pair.first === second.algorithm &&
          pair.second === first.algorithm,
      );
      const firmness = order ? ` in ${percent(order.untransformed)} of resamples` : '';
      pairs.push(
        `${first.algorithm} ahead of ${second.algorithm} (true: ${second.algorithm} ahead${firmness})`,
      );
    }
  return pairs;
}

/** Per metric, its name as reports show it and the pairs the release orders otherwise. */
export function reorderedByMetric(r: ResearchUtility): Array<{ name: string; pairs: string[] }> {
  return [
    { name: 'RMSE', pairs: reorderedPairs(r, 'rmse') },
    { name: 'nDCG@10', pairs: reorderedPairs(r, 'ndcgAt10') },
  ];
}

/**
 * One line for a terminal: τ per metric and the pairs in another order than on the true data,
 * each with how firmly the true data orders it.
 */
export function describeOrder(r: ResearchUtility): string {
  const reordered = reorderedByMetric(r)
    .filter(({ pairs }) => pairs.length > 0)
    .map(({ name, pairs }) => `${name} ${pairs.join(', ')}`);
  return `τ RMSE ${r.tau.rmse.toFixed(2)}, nDCG@10 ${r.tau.ndcgAt10.toFixed(2)}; ${reordered.length === 0 ? 'every pair in the true order' : `in another order than on the true data: ${reordered.join('; ')}`}`;
}

/**
 * Per metric, the pairs whose true order is within the test sample's noise (held in fewer than
 * FIRM_ORDER of the draws), as "a ahead of b in 84% of resamples": orders the true data itself
 * does not settle on this sample of members.
 */
export function unsettledByMetric(r: ResearchUtility): Array<{ name: string; pairs: string[] }> {
  const unsettled = (metric: PairOrder['metric']) =>
    (r.pairs ?? [])
      .filter((pair) => pair.metric === metric && pair.untransformed < FIRM_ORDER)
      .map(
        (pair) =>
          `${pair.first} ahead of ${pair.second} in ${percent(pair.untransformed)} of resamples`,
      );
  return [
    { name: 'RMSE', pairs: unsettled('rmse') },
    { name: 'nDCG@10', pairs: unsettled('ndcgAt10') },
  ];
}

/** The research utility and the seconds its two sides took (not in the report: it is reproducible). */
export interface MeasuredResearchUtility {
  value: ResearchUtility;
  seconds: number;
}

export function measuredResearchUtility(
  inputs: Pick<LeaderboardInputs, 'members' | 'movies'>,
  released: LeaderboardScores,
  untransformed: LeaderboardScores,
): MeasuredResearchUtility {
  return {
    value: compareLeaderboards(inputs, released, untransformed),
    seconds: released.seconds + untransformed.seconds,
  };
}

/** The research utility on this thread (both sides in turn). */
export function measureResearchUtility(
  inputs: LeaderboardInputs,
  scale: RatingScale,
  seed: number,
): MeasuredResearchUtility {
  return measuredResearchUtility(
    inputs,
    runLeaderboard(inputs.released, scale, seed),
    runLeaderboard(inputs.untransformed, scale, seed),
  );
}
