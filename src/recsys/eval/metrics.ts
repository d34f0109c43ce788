/**
 * Evaluation metrics as plain functions. Rating metrics take parallel arrays of predicted and
 * true ratings; ranking metrics take one user's ranked list (item indexes, best first) and the
 * set of that user's relevant items, following BENCHMARKS.md (binary gains; Recall@k divides by
 * min(k, #relevant); ideal DCG over min(k, #relevant)).
 */

/** Root mean squared error. NaN for empty input. */
export function rmse(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  checkLengths(predicted, actual);
  let sum = 0;
  for (let k = 0; k < predicted.length; k++) {
    const error = predicted[k] - actual[k];
    sum += error * error;
  }
  return Math.sqrt(sum / predicted.length);
}

/** Mean absolute error. NaN for empty input. */
export function mae(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  checkLengths(predicted, actual);
  let sum = 0;
  for (let k = 0; k < predicted.length; k++) sum += Math.abs(predicted[k] - actual[k]);
  return sum / predicted.length;
}

function checkLengths(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length)
    throw new Error(`metric: ${a.length} predictions for ${b.length} ratings`);
}

function hitsAt(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  let hits = 0;
  const depth = Math.min(k, ranked.length);
  for (let p = 0; p < depth; p++) if (relevant.has(ranked[p])) hits++;
  return hits;
}

/** Hits in the top k divided by k. */
export function precisionAt(
  ranked: ArrayLike<number>,
  relevant: ReadonlySet<number>,
  k: number,
): number {
  return k > 0 ? hitsAt(ranked, relevant, k) / k : 0;
}

/** Hits in the top k divided by min(k, #relevant) (0 when nothing is relevant). */
export function recallAt(
  ranked: ArrayLike<number>,
  relevant: ReadonlySet<number>,
  k: number,
): number {
  const denominator = Math.min(k, relevant.size);
  return denominator > 0 ? hitsAt(ranked, relevant, k) / denominator : 0;
}

/** 1 when some relevant item is in the top k, else 0. */
export function hitRateAt(
  ranked: ArrayLike<number>,
  relevant: ReadonlySet<number>,
  k: number,
): number {
  return hitsAt(ranked, relevant, k) > 0 ? 1 : 0;
}

/**
 * Normalized discounted cumulative gain with binary gains: DCG = Σ_{p<k} rel(p) / log2(p + 2),
 * divided by the ideal DCG of min(k, #relevant) hits at the top.
 */
export function ndcgAt(
  ranked: ArrayLike<number>,
  relevant: ReadonlySet<number>,
  k: number,
): number {
  const ideal = Math.min(k, relevant.size);
  if (ideal === 0) return 0;
  let dcg = 0;
  const depth = Math.min(k, ranked.length);
  for (let p = 0; p < depth; p++) if (relevant.has(ranked[p])) dcg += 1 / Math.log2(p + 2);
  let idcg = 0;
  for (let p = 0; p < ideal; p++) idcg += 1 / Math.log2(p + 2);
  return dcg / idcg;
}

/**
 * Average precision over the top k (default: the whole list): Σ over hits at rank p of
 * precision@p, divided by min(k, #relevant). Its mean over users is MAP.
 */
export function averagePrecision(
  ranked: ArrayLike<number>,
  relevant: ReadonlySet<number>,
  k = ranked.length,
): number {
  const denominator = Math.min(k, relevant.size);
  if (denominator === 0) return 0;
  let hits = 0;
  let sum = 0;
  const depth = Math.min(k, ranked.length);
  for (let p = 0; p < depth; p++) {
    if (relevant.has(ranked[p])) {
      hits++;
      sum += hits / (p + 1);
    }
  }
  return sum / denominator;
}

/** 1 / rank of the first relevant item within the top k (default: whole list), else 0. MRR is its mean. */
export function reciprocalRank(
  ranked: ArrayLike<number>,
  relevant: ReadonlySet<number>,
  k = ranked.length,
): number {
  const depth = Math.min(k, ranked.length);
  for (let p = 0; p < depth; p++) if (relevant.has(ranked[p])) return 1 / (p + 1);
  return 0;
}

/** Share of the catalog's items that appear in at least one list (each list cut to its first k). */
export function catalogCoverage(
  lists: readonly ArrayLike<number>[],
  catalogSize: number,
  k = Infinity,
): number {
  if (catalogSize === 0) return 0;
  const seen = new Uint8Array(catalogSize);
  let count = 0;
  for (const list of lists) {
    const depth = Math.min(k, list.length);
    for (let p = 0; p < depth; p++) {
      const item = list[p];
      if (!seen[item]) {
        seen[item] = 1;
        count++;
      }
    }
  }
  return count / catalogSize;
}

/**
 * Novelty: mean self-information −log2(popularity(i) / users) of the recommended items, where
 * popularity(i) is the number of training users who rated item i (at least 1 is assumed).
 */
export function novelty(
  lists: readonly ArrayLike<number>[],
  itemPopularity: ArrayLike<number>,
  users: number,
  k = Infinity,
): number {
  let sum = 0;
  let count = 0;
  for (const list of lists) {
    const depth = Math.min(k, list.length);
    for (let p = 0; p < depth; p++) {
      sum += -Math.log2(Math.max(1, itemPopularity[list[p]]) / users);
      count++;
    }
  }
  return count > 0 ? sum / count : 0;
}

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let k = 0; k < values.length; k++) sum += values[k];
  return values.length > 0 ? sum / values.length : NaN;
}

/** Sample standard deviation (n − 1); 0 for fewer than two values. */
export function standardDeviation(values: ArrayLike<number>): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  let sum = 0;
  for (let k = 0; k < values.length; k++) sum += (values[k] - m) ** 2;
  return Math.sqrt(sum / (values.length - 1));
}
