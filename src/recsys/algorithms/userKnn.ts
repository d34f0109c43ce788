/**
 * User-user k-NN (GroupLens 1994): a user's rating of an item is predicted from the ratings of
 * that item by the k most similar users who rated it (neighbours.ts). A member folded in after
 * training gets their neighbours by the model's similarity against every training user.
 */
import type { UserView } from '../modelTypes.ts';
import { Accumulator, find, KnnModel, knnAlgorithm } from './neighbours.ts';

/**
 * scoreOne binary-searches each neighbour's ratings (about this many steps, at random places)
 * for an item with more raters than this times the neighbours; else it reads the item's raters.
 */
const RATERS_PER_SEARCH = 8;

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
      accumulator.add(x, columns.ptr[j], columns.ptr[j + 1], columns.users, columns.x);
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

  /**
   * One item's prediction: the first k neighbours (most similar first) who rated it. Found by
   * reading the item's raters against the neighbours' places (`placesOf`) when that reads fewer
   * entries than a binary search of each neighbour's ratings; the same terms in the same order.
   */
  protected scoreOne(user: UserView, item: number): number {
    const base = this.baselineOf(user, item);
    const state = user.state;
    if (!state) return base;
    const neighbours = state.length >> 1;
    const { ptr, users } = this.columns();
    const residuals = this.ratingResiduals();
    let numerator = 0;
    let denominator = 0;
    let used = 0;
    if (ptr[item + 1] - ptr[item] > RATERS_PER_SEARCH * neighbours) {
      const { userPtr, userItems } = this.core;
      for (let n = 0; n < state.length && used < this.k; n += 2) {
        const v = state[n];
        const position = find(userItems, item, userPtr[v], userPtr[v + 1]);
        if (position < 0) continue;
        const s = state[n + 1];
        numerator += s * residuals[position];
        denominator += s;
        used++;
      }
    } else {
      const places = this.placesOf(user);
      const rows = this.columnRows();
      // found[place] = position of the neighbour's rating of the item (-1: not rated), reset below.
      const found = this.foundFor(neighbours);
      for (let p = ptr[item]; p < ptr[item + 1]; p++) {
        const place = places[users[p]];
        if (place >= 0) found[place] = rows[p];
      }
      for (let place = 0; place < neighbours; place++) {
        const position = found[place];
        if (position < 0) continue;
        found[place] = -1;
        if (used >= this.k) continue;
        const s = state[2 * place + 1];
        numerator += s * residuals[position];
        denominator += s;
        used++;
      }
    }
    return used >= this.minK && denominator > 0 ? base + numerator / denominator : base;
  }

  /** The view whose neighbours' places are spread in `places`. */
  private placedView: UserView | null = null;
  private places: Int32Array | null = null;
  private found = new Int32Array(0);
  private rowOfColumnEntry: Int32Array | null = null;

  /**
   * Each training user's place in the view's neighbour list (-1: not a neighbour); kept while
   * consecutive predictions share the view.
   */
  private placesOf(user: UserView): Int32Array {
    const places = (this.places ??= new Int32Array(this.users).fill(-1));
    if (this.placedView === user) return places;
    const before = this.placedView?.state;
    if (before) for (let n = 0; n < before.length; n += 2) places[before[n]] = -1;
    const state = user.state!;
    for (let n = 0; n < state.length; n += 2) places[state[n]] = n >> 1;
    this.placedView = user;
    return places;
  }

  /** Scratch of at least `neighbours` entries, all -1 (scoreOne leaves it so). */
  private foundFor(neighbours: number): Int32Array {
    if (this.found.length < neighbours) this.found = new Int32Array(neighbours).fill(-1);
    return this.found;
  }

  /** For each entry of columns(): the position of that rating in the training CSR rows. */
  private columnRows(): Int32Array {
    if (this.rowOfColumnEntry) return this.rowOfColumnEntry;
    const { ptr } = this.columns();
    const { userPtr, userItems } = this.core;
    const rows = new Int32Array(userItems.length);
    const cursor = ptr.slice(0, this.items);
    // The order columns() fills each item's raters in: by user.
    for (let u = 0; u < this.users; u++)
      for (let p = userPtr[u]; p < userPtr[u + 1]; p++) rows[cursor[userItems[p]]++] = p;
    this.rowOfColumnEntry = rows;
    return rows;
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

export const userKnn = knnAlgorithm(
  'user-knn',
  'User-user k-NN with baseline residuals (GroupLens; Surprise KNNBaseline, user-based)',
  false,
  { neighbours: 40, shrinkage: 100 },
  UserKnnModel,
);
