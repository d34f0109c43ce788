/**
 * Running an algorithm through a protocol: fit on each fold's training ratings, measure on its
 * test ratings, and summarize across folds (mean ± standard deviation, total seconds).
 */
import type { RatingScale, Ratings } from '../../datasets/dataset.ts';
import { getAlgorithm, fitAlgorithm } from '../registry.ts';
import type { Model, Params, RatingInput } from '../modelTypes.ts';
import type { Fold, ProtocolKind } from './protocols.ts';
import {
  averagePrecision,
  catalogCoverage,
  hitRateAt,
  mae,
  mean,
  ndcgAt,
  novelty,
  precisionAt,
  recallAt,
  reciprocalRank,
  rmse,
  standardDeviation,
} from './metrics.ts';

/** Metrics by lower-case name: rmse, mae, recall@20, ndcg@10, … */
export type Metrics = Record<string, number>;

export interface RatingEvaluation {
  metrics: Metrics;
  /** Per test user (user id): RMSE and MAE over that user's test ratings. */
  perUser: Array<{ userId: number; count: number; rmse: number; mae: number }>;
}

/** RMSE and MAE of the model's (clipped, never missing) predictions on the test ratings. */
export function evaluateRatings(model: Model, test: Ratings): RatingEvaluation {
  const predicted = model.predictMany(test.userIndex, test.itemIndex);
  const users = new Map<number, { count: number; squared: number; absolute: number }>();
  for (let r = 0; r < test.length; r++) {
    const error = predicted[r] - test.rating[r];
    const entry = users.get(test.userIndex[r]) ?? { count: 0, squared: 0, absolute: 0 };
    entry.count++;
    entry.squared += error * error;
    entry.absolute += Math.abs(error);
    users.set(test.userIndex[r], entry);
  }
  const perUser = [...users.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([u, e]) => ({
      userId: test.userIds.ids[u],
      count: e.count,
      rmse: Math.sqrt(e.squared / e.count),
      mae: e.absolute / e.count,
    }));
  return {
    metrics: { rmse: rmse(predicted, test.rating), mae: mae(predicted, test.rating) },
    perUser,
  };
}

export interface RankingOptions {
  /** Held-out ratings at or above this are relevant (default 4). */
  relevantRating?: number;
  /** Length of the ranked lists (default 100, the deepest cutoff). */
  depth?: number;
  /**
   * The training ratings: when given, each test user is ranked as the site ranks a member, folded
   * in from these ratings (model.foldIn), not by their trained parameters.
   */
  foldInFrom?: Ratings;
}

export interface RankingEvaluation {
  metrics: Metrics;
  perUser: Array<{ userId: number } & Metrics>;
}

/** The ranking metrics lenslab reports, in table order. */
export const RANKING_METRICS = [
  'recall@20',
  'ndcg@10',
  'ndcg@100',
  'precision@10',
  'recall@10',
  'map',
  'mrr',
  'hit@10',
  'coverage@20',
  'novelty@20',
] as const;

/**
 * Top-N quality (BENCHMARKS.md): for each test user with a relevant held-out item, rank every
 * item outside the user's training ratings and compare with the relevant held-out items.
 * map and mrr are computed over the top `depth` items.
 */
export function evaluateRanking(
  model: Model,
  test: Ratings,
  options: RankingOptions = {},
): RankingEvaluation {
  const threshold = options.relevantRating ?? 4;
  const depth = options.depth ?? 100;
  const relevantByUser = new Map<number, Set<number>>();
  for (let r = 0; r < test.length; r++) {
    if (test.rating[r] < threshold) continue;
    const u = test.userIndex[r];
    let set = relevantByUser.get(u);
    if (!set) relevantByUser.set(u, (set = new Set()));
    set.add(test.itemIndex[r]);
  }
  const users = [...relevantByUser.keys()].sort((a, b) => a - b);
  const lists: Int32Array[] = [];
  const perUser: RankingEvaluation['perUser'] = [];
  const inputs = options.foldInFrom ? ratingInputsByUser(options.foldInFrom) : null;
  for (const u of users) {
    const relevant = relevantByUser.get(u) as Set<number>;
    const user = inputs ? model.foldIn(inputs.get(u) ?? []) : u;
    const ranked = Int32Array.from(model.recommend(user, depth), (s) => s.item);
    lists.push(ranked);
    perUser.push({
      userId: test.userIds.ids[u],
      'recall@20': recallAt(ranked, relevant, 20),
      'ndcg@10': ndcgAt(ranked, relevant, 10),
      'ndcg@100': ndcgAt(ranked, relevant, 100),
      'precision@10': precisionAt(ranked, relevant, 10),
      'recall@10': recallAt(ranked, relevant, 10),
      map: averagePrecision(ranked, relevant, depth),
      mrr: reciprocalRank(ranked, relevant, depth),
      'hit@10': hitRateAt(ranked, relevant, 10),
    });
  }
  const metrics: Metrics = {};
  for (const name of RANKING_METRICS) {
    if (name === 'coverage@20' || name === 'novelty@20') continue;
    metrics[name] = mean(perUser.map((row) => row[name]));
  }
  metrics['coverage@20'] = catalogCoverage(lists, model.itemIds.size, 20);
  const popularity = new Int32Array(model.itemIds.size);
  const trainedUsers = new Set<number>();
  const base = model as unknown as { core?: { userPtr: Int32Array; userItems: Int32Array } };
  if (base.core) {
    const { userPtr, userItems } = base.core;
    for (let p = 0; p < userItems.length; p++) popularity[userItems[p]]++;
    for (let u = 0; u + 1 < userPtr.length; u++)
      if (userPtr[u + 1] > userPtr[u]) trainedUsers.add(u);
  }
  metrics['novelty@20'] = novelty(lists, popularity, Math.max(1, trainedUsers.size), 20);
  metrics.users = users.length;
  return { metrics, perUser };
}

/** Each user's ratings as fold-in input (folds keep the dataset's item indexes). */
function ratingInputsByUser(ratings: Ratings): Map<number, RatingInput[]> {
  const byUser = new Map<number, RatingInput[]>();
  for (let r = 0; r < ratings.length; r++) {
    const u = ratings.userIndex[r];
    let list = byUser.get(u);
    if (!list) byUser.set(u, (list = []));
    list.push({ itemIndex: ratings.itemIndex[r], rating: ratings.rating[r] });
  }
  return byUser;
}

export interface FoldResult {
  fold: string;
  fitSeconds: number;
  predictSeconds: number;
  metrics: Metrics;
  perUser?: Array<Record<string, number>>;
}

export interface EvaluateOptions {
  seed?: number;
  scale?: RatingScale;
  threads?: number;
  /** Keep per-user metrics in each fold result. */
  perUser?: boolean;
  relevantRating?: number;
  onFold?: (fold: string, index: number, total: number) => void;
}

/**
 * Fits `algorithm` on each fold and measures it. Rating metrics are measured for rating
 * predictors when the protocol asks for them; ranking metrics for every model when it does.
 */
export function evaluateAlgorithm(
  algorithm: string,
  params: Params,
  folds: readonly Fold[],
  kind: ProtocolKind,
  options: EvaluateOptions = {},
): FoldResult[] {
  const definition = getAlgorithm(algorithm);
  const results: FoldResult[] = [];
  folds.forEach((fold, index) => {
    options.onFold?.(fold.name, index, folds.length);
    const fitStart = performance.now();
    const model = fitAlgorithm(algorithm, fold.train, params, {
      seed: options.seed ?? 0,
      scale: options.scale,
      threads: options.threads,
    });
    const fitSeconds = (performance.now() - fitStart) / 1000;
    const predictStart = performance.now();
    const metrics: Metrics = {};
    let perUser: Array<Record<string, number>> | undefined;
    if (kind !== 'ranking' && definition.kind === 'rating') {
      const evaluation = evaluateRatings(model, fold.test);
      Object.assign(metrics, evaluation.metrics);
      perUser = evaluation.perUser;
    }
    if (kind !== 'rating') {
      const evaluation = evaluateRanking(model, fold.test, {
        relevantRating: options.relevantRating,
        foldInFrom: definition.foldInUsers ? fold.train : undefined,
      });
      Object.assign(metrics, evaluation.metrics);
      perUser = perUser ? mergePerUser(perUser, evaluation.perUser) : evaluation.perUser;
    }
    const predictSeconds = (performance.now() - predictStart) / 1000;
    results.push({
      fold: fold.name,
      fitSeconds,
      predictSeconds,
      metrics,
      ...(options.perUser ? { perUser } : {}),
    });
  });
  return results;
}

function mergePerUser(
  a: Array<Record<string, number>>,
  b: Array<Record<string, number>>,
): Array<Record<string, number>> {
  const byUser = new Map<number, Record<string, number>>();
  for (const row of a) byUser.set(row.userId, { ...row });
  for (const row of b) byUser.set(row.userId, { ...(byUser.get(row.userId) ?? {}), ...row });
  return [...byUser.values()].sort((x, y) => x.userId - y.userId);
}

export interface Summary {
  algo: string;
  params: Params;
  folds: number;
  /** Mean of each metric across folds. */
  metrics: Metrics;
  /** Sample standard deviation of each metric across folds. */
  sd: Metrics;
  /** Total seconds over all folds. */
  fitSeconds: number;
  predictSeconds: number;
}

/** Mean ± sd across folds and total times. */
export function summarize(algo: string, params: Params, results: readonly FoldResult[]): Summary {
  const metrics: Metrics = {};
  const sd: Metrics = {};
  const names = new Set(results.flatMap((r) => Object.keys(r.metrics)));
  for (const name of names) {
    const values = results.map((r) => r.metrics[name]).filter((v) => v !== undefined);
    metrics[name] = mean(values);
    sd[name] = standardDeviation(values);
  }
  return {
    algo,
    params,
    folds: results.length,
    metrics,
    sd,
    fitSeconds: results.reduce((sum, r) => sum + r.fitSeconds, 0),
    predictSeconds: results.reduce((sum, r) => sum + r.predictSeconds, 0),
  };
}
