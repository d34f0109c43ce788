/**
 * The neighbour search shared by item-item k-NN (itemKnn.ts) and user-user k-NN (userKnn.ts),
 * both predicting like Surprise's KNNBaseline:
 *
 *   r̂_ui = b_ui + Σ_{j∈N^k(i;u)} s_ij (r_uj − b_uj) / Σ_{j∈N^k(i;u)} s_ij
 *
 * where b is the bias baseline and N^k(i;u) the k items rated by u most similar to i (item-knn),
 * or with the roles of users and items swapped (user-knn). Only positive similarities count;
 * with fewer than minNeighbours of them the prediction is the baseline.
 *
 * Similarity over the co-raters (common users of two items, common items of two users):
 *   "pearson-baseline": cosine of baseline residuals r − b (Surprise's pearson_baseline)
 *   "adjusted-cosine":  cosine of r − (the user's mean rating) (Sarwar et al.)
 *   "cosine":           cosine of the raw ratings
 * each shrunk by (n − 1) / (n − 1 + shrinkage), n the number of co-raters. The model keeps the
 * modelSize most similar neighbours of each item (user) with positive similarity.
 */
import type { AlgorithmDefinition } from '../algorithm.ts';
import { num } from '../algorithm.ts';
import type { RatingMatrix } from '../matrix.ts';
import { BaseModel, coreFromMatrix } from '../model.ts';
import type { Baseline, ModelCore, ModelParts, ParamSpec } from '../modelTypes.ts';
import { BestPerRow } from '../topN.ts';
import { fitBaseline } from './bias.ts';

function knnParams(neighbours: number, shrinkage: number): Record<string, ParamSpec> {
  return {
    neighbours: {
      default: neighbours,
      min: 1,
      integer: true,
      description: 'k: neighbours used per prediction',
    },
    minNeighbours: {
      default: 1,
      min: 1,
      integer: true,
      description: 'fewer neighbours → baseline prediction',
    },
    similarity: {
      default: 'pearson-baseline',
      choices: ['pearson-baseline', 'adjusted-cosine', 'cosine'],
      description: 'similarity of co-rating vectors',
    },
    shrinkage: {
      default: shrinkage,
      min: 0,
      description: 'similarity × (n−1)/(n−1+shrinkage), n co-raters',
    },
    modelSize: {
      default: 200,
      min: 1,
      integer: true,
      description: 'neighbours kept per item (user) in the model',
    },
  };
}

/** Residual of each rating used by the similarity, in the order of (ptr, other, values). */
function residuals(
  similarity: string,
  ptr: Int32Array,
  other: Int32Array,
  values: Float32Array,
  baseline: Baseline,
  rowsAreUsers: boolean,
  userMeans: Float64Array,
): Float64Array {
  const out = new Float64Array(values.length);
  const rows = ptr.length - 1;
  for (let a = 0; a < rows; a++) {
    for (let p = ptr[a]; p < ptr[a + 1]; p++) {
      const u = rowsAreUsers ? a : other[p];
      const i = rowsAreUsers ? other[p] : a;
      const r = values[p];
      out[p] =
        similarity === 'pearson-baseline'
          ? r - baseline.globalMean - baseline.userBias[u] - baseline.itemBias[i]
          : similarity === 'adjusted-cosine'
            ? r - userMeans[u]
            : r;
    }
  }
  return out;
}

/**
 * Scratch accumulators for the similarities of one entity to all others (a member folded in).
 * Adding is branch-free (every co-rating of a popular catalog's raters adds, whether its
 * entity was met before or not) and take reads and clears the arrays whole, in order: cheaper
 * than a list of the entities met, whose test the processor cannot predict (about a third of
 * the co-ratings meet a new entity).
 */
export class Accumulator {
  readonly xy: Float64Array;
  readonly xx: Float64Array;
  readonly yy: Float64Array;
  readonly count: Int32Array;
  /** The entities ordered by co-rater count, most first (take's scratch). */
  private readonly byCount: Int32Array;

  constructor(size: number) {
    this.xy = new Float64Array(size);
    this.xx = new Float64Array(size);
    this.yy = new Float64Array(size);
    this.count = new Int32Array(size);
    this.byCount = new Int32Array(size);
  }

  /** Adds the co-ratings of one (entity value x) against the list bOther/bX of another axis. */
  add(x: number, from: number, to: number, bOther: Int32Array, bX: Float64Array): void {
    const { xy, xx, yy, count } = this;
    for (let q = from; q < to; q++) {
      const b = bOther[q];
      const y = bX[q];
      xy[b] += x * y;
      xx[b] += x * x;
      yy[b] += y * y;
      count[b]++;
    }
  }

  /**
   * The modelSize best positive similarities, best first (ties: the lower index); resets the
   * accumulators. A similarity is at most its shrinkage factor (n − 1) / (n − 1 + shrinkage), a
   * cosine being at most 1, and the factor grows with the co-rater count n. So the candidates are
   * scored from the largest n down, and once the list is full and its lowest score is above the
   * factor of the next n, none of the rest can enter. Most candidates share one or two ratings
   * with the entity: against a popular catalog, most are never scored.
   */
  take(shrinkage: number, modelSize: number): { index: Int32Array; similarity: Float64Array } {
    const { xy, xx, yy, count, byCount } = this;
    const size = count.length;
    let most = 0;
    for (let b = 0; b < size; b++) most = Math.max(most, count[b]);
    // Counting sort of every entity by co-rater count, descending (those with none come last).
    const start = new Int32Array(most + 2);
    for (let b = 0; b < size; b++) start[most - count[b] + 1]++;
    for (let n = 1; n <= most + 1; n++) start[n] += start[n - 1];
    const candidates = start[most];
    for (let b = 0; b < size; b++) byCount[start[most - count[b]]++] = b;
    const best = new BestPerRow(1, modelSize);
    for (let t = 0; t < candidates; t++) {
      const b = byCount[t];
      const n = count[b];
      const factor = shrinkage > 0 ? (n - 1) / (n - 1 + shrinkage) : 1;
      // A first candidate of a smaller n: stop if it could not enter (a margin for rounding).
      if ((t === 0 || count[byCount[t - 1]] !== n) && best.lowest(0) > factor + 1e-9) break;
      const denominator = Math.sqrt(xx[b] * yy[b]);
      const s = (denominator > 0 ? xy[b] / denominator : 0) * factor;
      if (s > 0) best.offer(0, b, s);
    }
    xy.fill(0);
    xx.fill(0);
    yy.fill(0);
    count.fill(0);
    const { index, score } = best.take(0);
    return { index, similarity: score };
  }
}

/** Rating lists along one axis (CSR): entity a's co-raters other[ptr[a]..ptr[a+1]), residuals x. */
interface ResidualLists {
  ptr: Int32Array;
  other: Int32Array;
  x: Float64Array;
}

/**
 * Neighbour lists of every entity on axis A: for each a, the co-raters through the B axis.
 * rowLists: A-major lists of (b, residual); throughLists: B-major lists of (a, residual), each
 * list sorted by index. The similarity is symmetric (both sides sum the same products in the
 * same order), so each pair is accumulated once, from its lower index, and offered to the best
 * lists of both rows: half the work of accumulating every row in full, and memory linear in the
 * count (rows × modelSize kept, never a count × count structure).
 */
function neighbourLists(
  rowLists: ResidualLists,
  throughLists: ResidualLists,
  shrinkage: number,
  modelSize: number,
  onProgress?: (fraction: number) => void,
): Neighbours {
  const { ptr: aPtr, other: aOther, x: aX } = rowLists;
  const { ptr: bPtr, other: bOther, x: bX } = throughLists;
  const count = aPtr.length - 1;
  // (Σxy, Σxx, Σyy) and the co-rater count of the current a with every c > a. Adding is
  // branch-free and the row is then read in order (see Accumulator): 20% faster than a list of
  // the c met, whose test the processor cannot predict.
  const sums = new Float64Array(3 * count);
  const counts = new Int32Array(count);
  // Position of the current a in each B list (lists are sorted by a, and a only grows).
  const cursor = bPtr.slice(0, bPtr.length - 1);
  const best = new BestPerRow(count, modelSize);
  const lists: Array<{ index: Int32Array; score: Float64Array }> = [];
  for (let a = 0; a < count; a++) {
    for (let p = aPtr[a]; p < aPtr[a + 1]; p++) {
      const b = aOther[p];
      const x = aX[p];
      const xx = x * x;
      const to = bPtr[b + 1];
      for (let q = ++cursor[b]; q < to; q++) {
        const c = bOther[q];
        const y = bX[q];
        const at = 3 * c;
        sums[at] += x * y;
        sums[at + 1] += xx;
        sums[at + 2] += y * y;
        counts[c]++;
      }
    }
    for (let c = a + 1; c < count; c++) {
      const n = counts[c];
      if (n === 0) continue;
      const at = 3 * c;
      const denominator = Math.sqrt(sums[at + 1] * sums[at + 2]);
      const s =
        (denominator > 0 ? sums[at] / denominator : 0) *
        (shrinkage > 0 ? (n - 1) / (n - 1 + shrinkage) : 1);
      sums[at] = 0;
      sums[at + 1] = 0;
      sums[at + 2] = 0;
      counts[c] = 0;
      if (s > 0) {
        best.offer(a, c, s);
        best.offer(c, a, s);
      }
    }
    // Every c < a offered its pair when it was the lower index: a's list is complete.
    lists.push(best.take(a));
    if ((a & 1023) === 1023) onProgress?.(1 - ((count - a - 1) / count) ** 2);
  }
  onProgress?.(1);
  return packed(lists);
}

/** Lists of every row as one CSR structure (similarities as float32). */
function packed(lists: Array<{ index: Int32Array; score: Float64Array }>): Neighbours {
  const ptr = new Int32Array(lists.length + 1);
  for (let a = 0; a < lists.length; a++) ptr[a + 1] = ptr[a] + lists[a].index.length;
  const index = new Int32Array(ptr[lists.length]);
  const similarity = new Float32Array(ptr[lists.length]);
  for (let a = 0; a < lists.length; a++) {
    index.set(lists[a].index, ptr[a]);
    similarity.set(lists[a].score, ptr[a]);
  }
  return { ptr, index, similarity };
}

function userMeansOf(matrix: RatingMatrix): Float64Array {
  const means = new Float64Array(matrix.users);
  for (let u = 0; u < matrix.users; u++) {
    let sum = 0;
    for (let p = matrix.userPtr[u]; p < matrix.userPtr[u + 1]; p++) sum += matrix.userRatings[p];
    means[u] = matrix.userCount(u) > 0 ? sum / matrix.userCount(u) : matrix.globalMean;
  }
  return means;
}

/** The neighbour lists of a k-NN model (CSR over items or users). */
export interface Neighbours {
  ptr: Int32Array;
  index: Int32Array;
  similarity: Float32Array;
}

export abstract class KnnModel extends BaseModel {
  readonly k: number;
  readonly minK: number;

  constructor(
    core: ModelCore,
    readonly neighbours: Neighbours,
  ) {
    super(core);
    this.k = Number(core.params.neighbours);
    this.minK = Number(core.params.minNeighbours);
  }

  protected parts(): ModelParts {
    return {
      arrays: {
        neighbourPtr: this.neighbours.ptr,
        neighbourIndex: this.neighbours.index,
        neighbourSimilarity: this.neighbours.similarity,
      },
      fields: {},
    };
  }

  static neighboursFrom(parts: ModelParts): Neighbours {
    return {
      ptr: parts.arrays.neighbourPtr as Int32Array,
      index: parts.arrays.neighbourIndex as Int32Array,
      similarity: parts.arrays.neighbourSimilarity as Float32Array,
    };
  }
}

/** Position of value in sorted[from..to), or -1. */
export function find(sorted: Int32Array, value: number, from = 0, to = sorted.length): number {
  let low = from;
  let high = to - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const x = sorted[middle];
    if (x === value) return middle;
    if (x < value) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

/** Baseline and neighbour lists of a k-NN model. */
export function fitKnn(
  matrix: RatingMatrix,
  params: Record<string, number | string>,
  itemBased: boolean,
  onProgress?: (f: number) => void,
): { baseline: Baseline; neighbours: Neighbours } {
  const baseline = fitBaseline(matrix);
  const similarity = String(params.similarity);
  const means = userMeansOf(matrix);
  const byUser: ResidualLists = {
    ptr: matrix.userPtr,
    other: matrix.userItems,
    x: residuals(
      similarity,
      matrix.userPtr,
      matrix.userItems,
      matrix.userRatings,
      baseline,
      true,
      means,
    ),
  };
  const byItem: ResidualLists = {
    ptr: matrix.itemPtr,
    other: matrix.itemUsers,
    x: residuals(
      similarity,
      matrix.itemPtr,
      matrix.itemUsers,
      matrix.itemRatings,
      baseline,
      false,
      means,
    ),
  };
  const [rows, through] = itemBased ? [byItem, byUser] : [byUser, byItem];
  const shrinkage = num(params, 'shrinkage');
  const modelSize = num(params, 'modelSize');
  return {
    baseline,
    neighbours: neighbourLists(rows, through, shrinkage, modelSize, onProgress),
  };
}

/** A k-NN model class: neighbour lists over items (item-knn) or users (user-knn). */
type KnnModelClass = new (core: ModelCore, neighbours: Neighbours) => KnnModel;

/** The definition of a k-NN algorithm; defaults are the k and shrinkage its parameters start at. */
export function knnAlgorithm(
  name: string,
  description: string,
  itemBased: boolean,
  defaults: { neighbours: number; shrinkage: number },
  Model: KnnModelClass,
): AlgorithmDefinition {
  return {
    name,
    description,
    kind: 'rating',
    params: knnParams(defaults.neighbours, defaults.shrinkage),
    fit(matrix, params, options) {
      const { baseline, neighbours } = fitKnn(matrix, params, itemBased, options.onProgress);
      return new Model(coreFromMatrix(matrix, name, 'rating', params, baseline), neighbours);
    },
    restore: (core, parts) => new Model(core, KnnModel.neighboursFrom(parts)),
  };
}
