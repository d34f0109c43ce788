/**
 * Item-item k-NN (Sarwar et al. 2001; the classic MovieLens algorithm): a user's rating of an
 * item is predicted from their ratings of the k most similar items they rated (neighbours.ts).
 */
import type { UserView } from '../modelTypes.ts';
import { find, KnnModel, knnAlgorithm } from './neighbours.ts';

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

export const itemKnn = knnAlgorithm(
  'item-knn',
  'Item-item k-NN with baseline residuals (Sarwar 2001; Surprise KNNBaseline, item-based)',
  true,
  // k and shrinkage tuned with searchParams on ML-100K validation data (the README).
  { neighbours: 60, shrinkage: 200 },
  ItemKnnModel,
);
