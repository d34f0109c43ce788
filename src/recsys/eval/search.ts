/**
 * Hyper-parameter search (grid or random) on a validation split carved from training data only,
 * so defaults are tuned without ever looking at a test fold: rating metrics (rmse, mae) use a
 * random 10% of the training ratings, ranking metrics (ndcg@10, recall@20, …) a per-user 20%
 * holdout of them.
 */
import type { RatingScale, Ratings } from '../../datasets/dataset.ts';
import { Random } from '../../util/random.ts';
import type { Params } from '../modelTypes.ts';
import { evaluateAlgorithm } from './evaluate.ts';
import { perUserHoldout, randomSplit } from './protocols.ts';

export interface SearchOptions {
  algorithm: string;
  /** Fixed parameters for every trial. */
  base?: Params;
  /** Values to try per parameter. */
  space: Record<string, ReadonlyArray<number | string>>;
  /** 'grid': every combination; 'random': `samples` combinations drawn with the seed. */
  mode?: 'grid' | 'random';
  samples?: number;
  /** Metric to optimize (lower is better for rmse and mae, higher otherwise). Default rmse. */
  metric?: string;
  seed?: number;
  scale?: RatingScale;
  threads?: number;
  onTrial?: (trial: SearchTrial, index: number, total: number) => void;
}

export interface SearchTrial {
  params: Params;
  score: number;
  metrics: Record<string, number>;
  fitSeconds: number;
}

export interface SearchResult {
  best: Params;
  bestScore: number;
  metric: string;
  /** Every trial, best first. */
  trials: SearchTrial[];
}

/** All combinations of the space, in a fixed order (first parameter varies slowest). */
export function gridOf(space: Record<string, ReadonlyArray<number | string>>): Params[] {
  let combinations: Params[] = [{}];
  for (const [name, values] of Object.entries(space)) {
    combinations = combinations.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
  }
  return combinations;
}

export function searchParams(train: Ratings, options: SearchOptions): SearchResult {
  const metric = options.metric ?? 'rmse';
  const lowerIsBetter = metric === 'rmse' || metric === 'mae';
  const seed = options.seed ?? 0;
  const ranking = !lowerIsBetter;
  const validation = ranking
    ? perUserHoldout(train, 0.2, seed)
    : randomSplit(train, 0.1, seed, 'validation');
  let candidates = gridOf(options.space);
  if (options.mode === 'random') {
    const random = new Random(seed);
    random.shuffle(candidates);
    candidates = candidates.slice(0, options.samples ?? 10);
  }
  const trials: SearchTrial[] = [];
  candidates.forEach((candidate, index) => {
    const params = { ...options.base, ...candidate };
    const [result] = evaluateAlgorithm(
      options.algorithm,
      params,
      [validation],
      ranking ? 'ranking' : 'rating',
      {
        seed,
        scale: options.scale,
        threads: options.threads,
      },
    );
    const trial = {
      params,
      score: result.metrics[metric],
      metrics: result.metrics,
      fitSeconds: result.fitSeconds,
    };
    trials.push(trial);
    options.onTrial?.(trial, index, candidates.length);
  });
  trials.sort((a, b) => (lowerIsBetter ? a.score - b.score : b.score - a.score));
  return {
    best: trials[0]?.params ?? { ...options.base },
    bestScore: trials[0]?.score ?? NaN,
    metric,
    trials,
  };
}
