/**
 * Neighbourhood models: item-item k-NN (Sarwar et al. 2001; the classic MovieLens algorithm) and
 * user-user k-NN (GroupLens 1994), both predicting like Surprise's KNNBaseline:
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
import {
  BaseModel,
  coreFromMatrix,
  topN,
  type Baseline,
  type ModelCore,
  type ModelParts,
  type ParamSpec,
  type UserView,
} from '../model.ts';
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

/** Scratch accumulators for the similarities of one entity to all others. */
class Accumulator {
  readonly xy: Float64Array;
  readonly xx: Float64Array;
  readonly yy: Float64Array;
  readonly count: Int32Array;
  readonly touched: Int32Array;
  readonly scores: Float64Array;
  touchedCount = 0;

  constructor(size: number) {
    this.xy = new Float64Array(size);
    this.xx = new Float64Array(size);
    this.yy = new Float64Array(size);
    this.count = new Int32Array(size);
    this.touched = new Int32Array(size);
    this.scores = new Float64Array(size).fill(-Infinity);
  }

  /** Adds the co-ratings of one (entity value x) against the list bOther/bX of another axis. */
  add(
    x: number,
    from: number,
    to: number,
    bOther: Int32Array,
    bX: Float64Array,
    self: number,
  ): void {
    const { xy, xx, yy, count, touched } = this;
    for (let q = from; q < to; q++) {
      const b = bOther[q];
      if (b === self) continue;
      const y = bX[q];
      if (count[b] === 0) touched[this.touchedCount++] = b;
      xy[b] += x * y;
      xx[b] += x * x;
      yy[b] += y * y;
      count[b]++;
    }
  }

  /** The modelSize best positive similarities; resets the accumulators. */
  take(shrinkage: number, modelSize: number): { index: Int32Array; similarity: Float64Array } {
    const { xy, xx, yy, count, touched, scores } = this;
    const candidates = touched.subarray(0, this.touchedCount);
    for (let t = 0; t < candidates.length; t++) {
      const b = candidates[t];
      const denominator = Math.sqrt(xx[b] * yy[b]);
      let s = denominator > 0 ? xy[b] / denominator : 0;
      const n = count[b];
      s *= shrinkage > 0 ? (n - 1) / (n - 1 + shrinkage) : 1;
      scores[b] = s > 0 ? s : -Infinity;
    }
    const index = topN(scores, modelSize, candidates);
    const similarity = Float64Array.from(index, (b) => scores[b]);
    for (let t = 0; t < candidates.length; t++) {
      const b = candidates[t];
      xy[b] = 0;
      xx[b] = 0;
      yy[b] = 0;
      count[b] = 0;
      scores[b] = -Infinity;
    }
    this.touchedCount = 0;
    return { index, similarity };
  }
}

/**
 * Neighbour lists of every entity on axis A: for each a, the co-raters through the B axis.
 * (aPtr, aOther, aX): A-major lists of (b, residual); (bPtr, bOther, bX): B-major lists of (a,
 * residual), each list sorted by index. The similarity is symmetric (both sides sum the same
 * products in the same order), so each pair is accumulated once, from its lower index, and kept
 * in a packed triangle until the higher index's row is ranked: half the work of accumulating
 * every row in full, and bit-identical lists.
 */
function neighbourLists(
  aPtr: Int32Array,
  aOther: Int32Array,
  aX: Float64Array,
  bPtr: Int32Array,
  bOther: Int32Array,
  bX: Float64Array,
  shrinkage: number,
  modelSize: number,
  onProgress?: (fraction: number) => void,
): { ptr: Int32Array; index: Int32Array; similarity: Float32Array } {
  const count = aPtr.length - 1;
  // (Σxy, Σxx, Σyy) and the co-rater count of the current a with every c > a.
  const sums = new Float64Array(3 * count);
  const counts = new Int32Array(count);
  // Pair (a, c), a < c, is at rowStart(a) + c; zero (never a neighbour) until computed.
  const rowStart = (a: number): number => a * count - (a * (a + 1)) / 2 - a - 1;
  const pairs = new Float64Array((count * (count - 1)) / 2);
  // Position of the current a in each B list (lists are sorted by a, and a only grows).
  const cursor = bPtr.slice(0, bPtr.length - 1);
  // Rows are ranked in blocks, so the lower parts (read down the triangle's columns) are
  // gathered BLOCK entries at a time instead of one entry per cache line.
  const BLOCK = 32;
  const rows = new Float64Array(BLOCK * count);
  const ptr = new Int32Array(count + 1);
  const lists: Array<{ index: Int32Array; similarity: Float64Array }> = [];
  for (let first = 0; first < count; first += BLOCK) {
    const end = Math.min(count, first + BLOCK);
    for (let a = first; a < end; a++) {
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
      const start = rowStart(a);
      for (let c = a + 1; c < count; c++) {
        const n = counts[c];
        if (n === 0) continue;
        const at = 3 * c;
        const denominator = Math.sqrt(sums[at + 1] * sums[at + 2]);
        const s = denominator > 0 ? sums[at] / denominator : 0;
        pairs[start + c] = s * (shrinkage > 0 ? (n - 1) / (n - 1 + shrinkage) : 1);
        sums[at] = 0;
        sums[at + 1] = 0;
        sums[at + 2] = 0;
        counts[c] = 0;
      }
    }
    for (let c = 0; c < end - 1; c++) {
      const start = rowStart(c);
      for (let a = Math.max(first, c + 1); a < end; a++)
        rows[(a - first) * count + c] = pairs[start + a];
    }
    for (let a = first; a < end; a++) {
      const row = rows.subarray((a - first) * count, (a - first + 1) * count);
      row[a] = 0;
      row.set(pairs.subarray(rowStart(a) + a + 1, rowStart(a) + count), a + 1);
      for (let c = 0; c < count; c++) if (!(row[c] > 0)) row[c] = -Infinity;
      const index = topN(row, modelSize);
      lists.push({ index, similarity: Float64Array.from(index, (c) => row[c]) });
      ptr[a + 1] = ptr[a] + index.length;
    }
    onProgress?.(1 - ((count - end) / count) ** 2);
  }
  const index = new Int32Array(ptr[count]);
  const similarity = new Float32Array(ptr[count]);
  for (let a = 0; a < count; a++) {
    index.set(lists[a].index, ptr[a]);
    similarity.set(lists[a].similarity, ptr[a]);
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

interface Neighbours {
  ptr: Int32Array;
  index: Int32Array;
  similarity: Float32Array;
}

abstract class KnnModel extends BaseModel {
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
function find(sorted: Int32Array, value: number, from = 0, to = sorted.length): number {
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

/**
 * What one scatter update costs (three read-modify-writes at a random item, plus its share of
 * the walks a scatter still needs for items with more than k rated neighbours) in entries of a
 * walk (two loads from a dense array): about 2.5, measured on synthetic-1m.
 */
const SCATTER_TO_WALK_COST = 2.5;

/** For each item j, the items that list j as a neighbour, with that similarity (CSR). */
interface ReverseNeighbours {
  ptr: Int32Array;
  item: Int32Array;
  similarity: Float32Array;
}

export class ItemKnnModel extends KnnModel {
  /** The view whose ratings are spread in `rated` (see ratedOf). */
  private ratedView: UserView | null = null;
  private rated: Float64Array | null = null;

  /**
   * The user's ratings by item index, as pairs [r_uj − b_uj, 1] at 2j and [0, 0] for an item the
   * user did not rate: a neighbour walk then adds s·x and s·1 for every list entry without a
   * branch per entry (the added zeros change no sum). Kept while consecutive predictions share
   * the view.
   */
  private ratedOf(user: UserView): Float64Array {
    const rated = (this.rated ??= new Float64Array(2 * this.items));
    if (this.ratedView === user) return rated;
    if (this.ratedView) for (const j of this.ratedView.items) rated.fill(0, 2 * j, 2 * j + 2);
    this.ratedView = user;
    for (let n = 0; n < user.items.length; n++) {
      const j = user.items[n];
      rated[2 * j] = user.ratings[n] - this.baselineOf(user, j);
      rated[2 * j + 1] = 1;
    }
    return rated;
  }

  /** The prediction of the forward walk: item's list in order, up to k rated neighbours. */
  private walk(rated: Float64Array, item: number, base: number): number {
    const { ptr, index, similarity } = this.neighbours;
    const k = this.k;
    let sum = 0;
    let weight = 0;
    let count = 0;
    const end = ptr[item + 1];
    for (let p = ptr[item]; p < end && count < k; p++) {
      const at = 2 * index[p];
      const s = similarity[p];
      sum += s * rated[at];
      weight += s * rated[at + 1];
      count += rated[at + 1];
    }
    return count >= this.minK && weight > 0 ? base + sum / weight : base;
  }

  protected scoreOne(user: UserView, item: number): number {
    return this.walk(this.ratedOf(user), item, this.baselineOf(user, item));
  }

  private reverse: ReverseNeighbours | null = null;

  /** For each item j, the items whose neighbour lists hold j, with the similarity (built lazily). */
  private reverseNeighbours(): ReverseNeighbours {
    if (this.reverse) return this.reverse;
    const { ptr, index, similarity } = this.neighbours;
    const reversePtr = new Int32Array(this.items + 1);
    for (let p = 0; p < index.length; p++) reversePtr[index[p] + 1]++;
    for (let j = 0; j < this.items; j++) reversePtr[j + 1] += reversePtr[j];
    const cursor = reversePtr.slice(0, this.items);
    const item = new Int32Array(index.length);
    const reverseSimilarity = new Float32Array(index.length);
    for (let i = 0; i < this.items; i++) {
      for (let p = ptr[i]; p < ptr[i + 1]; p++) {
        const position = cursor[index[p]]++;
        item[position] = i;
        reverseSimilarity[position] = similarity[p];
      }
    }
    this.reverse = { ptr: reversePtr, item, similarity: reverseSimilarity };
    return this.reverse;
  }

  /**
   * All items at once, by whichever way touches fewer list entries: scatter from the user's
   * rated items (cheap for a user with few ratings) or walk every item's list (cheap for a
   * user with many, as each walk stops after k rated neighbours).
   */
  protected override scoreInto(user: UserView, out: Float64Array): void {
    const rated = this.ratedOf(user);
    const reverse = this.reverseNeighbours();
    let scatterEntries = 0;
    for (const j of user.items) scatterEntries += reverse.ptr[j + 1] - reverse.ptr[j];
    if (scatterEntries * SCATTER_TO_WALK_COST < this.walkEntries(scatterEntries)) {
      this.scatter(user, rated, reverse, out);
      return;
    }
    const { globalMean, itemBias } = this.core.baseline;
    const userBase = globalMean + user.bias;
    for (let i = 0; i < this.items; i++) out[i] = this.walk(rated, i, userBase + itemBias[i]);
  }

  /**
   * Expected list entries the walks of all items read: a list of length L holding rated items at
   * the user's average rate (scatterEntries / all entries) reaches k of them after
   * min(L, k / rate) entries.
   */
  private walkEntries(scatterEntries: number): number {
    const entries = this.neighbours.index.length;
    const perList = entries / this.items;
    const untilK = scatterEntries > 0 ? (this.k * entries) / scatterEntries : Infinity;
    return this.items * Math.min(perList, untilK);
  }

  /**
   * Scatter: each rated item j adds its term to the items that list j as a neighbour. An item
   * that collects at most k terms has exactly the prediction of the forward walk; only items
   * with more than k rated neighbours walk their list for the top k.
   */
  private scatter(
    user: UserView,
    rated: Float64Array,
    reverse: ReverseNeighbours,
    out: Float64Array,
  ): void {
    const items = this.items;
    // Σ s·x, Σ s and the count of terms of each item, side by side (one cache line per update);
    // reused between calls (scoring is synchronous), reset before use.
    const sums = (this.sums ??= new Float64Array(3 * items));
    sums.fill(0);
    const { ptr: reversePtr, item: reverseItem, similarity: reverseSimilarity } = reverse;
    for (const j of user.items) {
      const x = rated[2 * j];
      const end = reversePtr[j + 1];
      for (let p = reversePtr[j]; p < end; p++) {
        const at = 3 * reverseItem[p];
        const s = reverseSimilarity[p];
        sums[at] += s * x;
        sums[at + 1] += s;
        sums[at + 2]++;
      }
    }
    const { globalMean, itemBias } = this.core.baseline;
    const userBase = globalMean + user.bias;
    for (let i = 0; i < items; i++) {
      const count = sums[3 * i + 2];
      const base = userBase + itemBias[i];
      if (count > this.k) {
        out[i] = this.walk(rated, i, base);
        continue;
      }
      const weight = sums[3 * i + 1];
      out[i] = count >= this.minK && weight > 0 ? base + sums[3 * i] / weight : base;
    }
  }

  private sums: Float64Array | null = null;

  protected override itemSimilarity(i: number, j: number): number {
    const { ptr, index, similarity } = this.neighbours;
    for (let p = ptr[i]; p < ptr[i + 1]; p++) if (index[p] === j) return similarity[p];
    return 0;
  }

  protected override similarityRow(i: number, out: Float64Array): void {
    out.fill(0);
    const { ptr, index, similarity } = this.neighbours;
    for (let p = ptr[i]; p < ptr[i + 1]; p++) out[index[p]] = similarity[p];
  }

  /** The actual terms s_ij (r_uj − b_uj) of the prediction, for the k neighbours used. */
  protected override contributions(view: UserView, item: number): Float64Array {
    const out = new Float64Array(view.items.length);
    const { ptr, index, similarity } = this.neighbours;
    let used = 0;
    for (let p = ptr[item]; p < ptr[item + 1] && used < this.k; p++) {
      const position = find(view.items, index[p]);
      if (position < 0) continue;
      out[position] = similarity[p] * (view.ratings[position] - this.baselineOf(view, index[p]));
      used++;
    }
    return out;
  }
}

export class UserKnnModel extends KnnModel {
  private residualColumns: { ptr: Int32Array; users: Int32Array; x: Float64Array } | null = null;
  private foldAccumulator: Accumulator | null = null;

  /** The neighbour list of a known user as state [v0, s0, v1, s1, …]. */
  protected override userState(u: number): Float64Array {
    const { ptr, index, similarity } = this.neighbours;
    const state = new Float64Array(2 * (ptr[u + 1] - ptr[u]));
    for (let p = ptr[u], n = 0; p < ptr[u + 1]; p++, n += 2) {
      state[n] = index[p];
      state[n + 1] = similarity[p];
    }
    return state;
  }

  /** Similarities of a new user to every training user, with the model's similarity. */
  protected override foldState(
    items: Int32Array,
    ratings: Float32Array,
    bias: number,
  ): Float64Array {
    const columns = this.columnsWithResiduals();
    // Reused: take() leaves it reset, and fold-in is synchronous.
    const accumulator = (this.foldAccumulator ??= new Accumulator(this.users));
    const similarityName = String(this.params.similarity);
    let mean = 0;
    for (let n = 0; n < ratings.length; n++) mean += ratings[n];
    mean /= Math.max(1, ratings.length);
    const { globalMean, itemBias } = this.core.baseline;
    for (let n = 0; n < items.length; n++) {
      const j = items[n];
      const x =
        similarityName === 'pearson-baseline'
          ? ratings[n] - globalMean - bias - itemBias[j]
          : similarityName === 'adjusted-cosine'
            ? ratings[n] - mean
            : ratings[n];
      accumulator.add(x, columns.ptr[j], columns.ptr[j + 1], columns.users, columns.x, -1);
    }
    const list = accumulator.take(Number(this.params.shrinkage), Number(this.params.modelSize));
    const state = new Float64Array(2 * list.index.length);
    for (let n = 0; n < list.index.length; n++) {
      state[2 * n] = list.index[n];
      state[2 * n + 1] = list.similarity[n];
    }
    return state;
  }

  private columnsWithResiduals(): { ptr: Int32Array; users: Int32Array; x: Float64Array } {
    if (this.residualColumns) return this.residualColumns;
    const { ptr, users } = this.columns();
    const { userPtr, userItems, userRatings, baseline } = this.core;
    const similarityName = String(this.params.similarity);
    const x = new Float64Array(users.length);
    const cursor = ptr.slice(0, this.items);
    for (let u = 0; u < this.users; u++) {
      let mean = 0;
      for (let p = userPtr[u]; p < userPtr[u + 1]; p++) mean += userRatings[p];
      mean /= Math.max(1, userPtr[u + 1] - userPtr[u]);
      for (let p = userPtr[u]; p < userPtr[u + 1]; p++) {
        const i = userItems[p];
        const r = userRatings[p];
        x[cursor[i]++] =
          similarityName === 'pearson-baseline'
            ? r - baseline.globalMean - baseline.userBias[u] - baseline.itemBias[i]
            : similarityName === 'adjusted-cosine'
              ? r - mean
              : r;
      }
    }
    this.residualColumns = { ptr, users, x };
    return this.residualColumns;
  }

  private residualRows: Float64Array | null = null;

  /** r − b of every training rating, in userItems order (built on first use). */
  private ratingResiduals(): Float64Array {
    if (this.residualRows) return this.residualRows;
    const { userPtr, userItems, userRatings, baseline } = this.core;
    const out = new Float64Array(userItems.length);
    for (let v = 0; v < this.users; v++) {
      for (let p = userPtr[v]; p < userPtr[v + 1]; p++) {
        out[p] =
          userRatings[p] -
          baseline.globalMean -
          baseline.userBias[v] -
          baseline.itemBias[userItems[p]];
      }
    }
    this.residualRows = out;
    return out;
  }

  protected scoreOne(user: UserView, item: number): number {
    const base = this.baselineOf(user, item);
    const state = user.state;
    if (!state) return base;
    const { userPtr, userItems } = this.core;
    const residuals = this.ratingResiduals();
    let numerator = 0;
    let denominator = 0;
    let used = 0;
    for (let n = 0; n < state.length && used < this.k; n += 2) {
      const v = state[n];
      const position = find(userItems, item, userPtr[v], userPtr[v + 1]);
      if (position < 0) continue;
      const s = state[n + 1];
      numerator += s * residuals[position];
      denominator += s;
      used++;
    }
    return used >= this.minK && denominator > 0 ? base + numerator / denominator : base;
  }

  private sums: Float64Array | null = null;
  /** gate[c] = 1 while c < k, else 0 (see scoreInto); grown to the longest neighbour list. */
  private gate: Float64Array = new Float64Array(0);

  /**
   * All items at once: each neighbour, most similar first, adds its terms to the items it rated.
   * An item already holding k terms takes the term times gate[count] = 0 instead of skipping it,
   * since a branch that is taken for about a third of the entries at random costs more than the
   * multiplication (and adding 0 changes no sum).
   */
  protected override scoreInto(user: UserView, out: Float64Array): void {
    const state = user.state;
    const items = this.items;
    const { userPtr, userItems, baseline } = this.core;
    const residuals = this.ratingResiduals();
    // Σ s·x, Σ s and the count of terms of each item side by side; reused, reset before use.
    const sums = (this.sums ??= new Float64Array(3 * items));
    sums.fill(0);
    if (state) {
      const gate = this.gateFor(state.length / 2);
      for (let n = 0; n < state.length; n += 2) {
        const v = state[n];
        const s = state[n + 1];
        const end = userPtr[v + 1];
        for (let p = userPtr[v]; p < end; p++) {
          const at = 3 * userItems[p];
          const count = sums[at + 2];
          const open = gate[count];
          sums[at] += open * (s * residuals[p]);
          sums[at + 1] += open * s;
          sums[at + 2] = count + 1;
        }
      }
    }
    const userBase = baseline.globalMean + user.bias;
    for (let i = 0; i < items; i++) {
      const base = userBase + baseline.itemBias[i];
      const count = Math.min(this.k, sums[3 * i + 2]);
      const weight = sums[3 * i + 1];
      out[i] = count >= this.minK && weight > 0 ? base + sums[3 * i] / weight : base;
    }
  }

  /** The gate for counts 0..neighbours. */
  private gateFor(neighbours: number): Float64Array {
    if (this.gate.length <= neighbours) {
      this.gate = new Float64Array(neighbours + 1);
      this.gate.fill(1, 0, Math.min(this.k, neighbours + 1));
    }
    return this.gate;
  }
}

function fitKnn(
  matrix: RatingMatrix,
  params: Record<string, number | string>,
  itemBased: boolean,
  onProgress?: (f: number) => void,
) {
  const baseline = fitBaseline(matrix);
  const similarity = String(params.similarity);
  const means = userMeansOf(matrix);
  const userX = residuals(
    similarity,
    matrix.userPtr,
    matrix.userItems,
    matrix.userRatings,
    baseline,
    true,
    means,
  );
  const itemX = residuals(
    similarity,
    matrix.itemPtr,
    matrix.itemUsers,
    matrix.itemRatings,
    baseline,
    false,
    means,
  );
  const shrinkage = num(params, 'shrinkage');
  const modelSize = num(params, 'modelSize');
  const neighbours = itemBased
    ? neighbourLists(
        matrix.itemPtr,
        matrix.itemUsers,
        itemX,
        matrix.userPtr,
        matrix.userItems,
        userX,
        shrinkage,
        modelSize,
        onProgress,
      )
    : neighbourLists(
        matrix.userPtr,
        matrix.userItems,
        userX,
        matrix.itemPtr,
        matrix.itemUsers,
        itemX,
        shrinkage,
        modelSize,
        onProgress,
      );
  return { baseline, neighbours };
}

export const itemKnn: AlgorithmDefinition = {
  name: 'item-knn',
  description:
    'Item-item k-NN with baseline residuals (Sarwar 2001; Surprise KNNBaseline, item-based)',
  kind: 'rating',
  // k and shrinkage tuned with searchParams on ML-100K validation data (the README).
  params: knnParams(60, 200),
  fit(matrix, params, options) {
    const { baseline, neighbours } = fitKnn(matrix, params, true, options.onProgress);
    return new ItemKnnModel(
      coreFromMatrix(matrix, 'item-knn', 'rating', params, baseline),
      neighbours,
    );
  },
  restore: (core, parts) => new ItemKnnModel(core, KnnModel.neighboursFrom(parts)),
};

export const userKnn: AlgorithmDefinition = {
  name: 'user-knn',
  description:
    'User-user k-NN with baseline residuals (GroupLens; Surprise KNNBaseline, user-based)',
  kind: 'rating',
  params: knnParams(40, 100),
  fit(matrix, params, options) {
    const { baseline, neighbours } = fitKnn(matrix, params, false, options.onProgress);
    return new UserKnnModel(
      coreFromMatrix(matrix, 'user-knn', 'rating', params, baseline),
      neighbours,
    );
  },
  restore: (core, parts) => new UserKnnModel(core, KnnModel.neighboursFrom(parts)),
};
