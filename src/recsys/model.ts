/**
 * BaseModel: what every lenslab model shares (the contract is in modelTypes.ts). Algorithms
 * extend it and override its protected hooks.
 */
import type { RatingMatrix } from './matrix.ts';
import {
  FoldedUser,
  type Baseline,
  type Model,
  type ModelCore,
  type ModelMetadata,
  type ModelParts,
  type Params,
  type RatingInput,
  type RecommendOptions,
  type ScoredItem,
  type UserRef,
  type UserView,
} from './modelTypes.ts';
import { serializeModel } from './serialize.ts';
import { topN } from './topN.ts';
import { IdIndex, type RatingScale } from '../datasets/dataset.ts';

const EMPTY_INT = new Int32Array(0);
const EMPTY_FLOAT = new Float32Array(0);

/**
 * Shared behaviour: id maps, baseline fallback, clipping, top-N selection, fold-in of the
 * baseline, explanation by item similarity, serialization. Algorithms override the protected
 * hooks.
 */
export abstract class BaseModel implements Model {
  readonly algorithm: string;
  readonly kind: 'rating' | 'ranking';
  readonly params: Readonly<Params>;
  readonly scale: RatingScale;
  readonly userIds: IdIndex;
  readonly itemIds: IdIndex;
  readonly core: ModelCore;
  /** Training ratings per item; items with none are treated as unknown (baseline). */
  readonly itemCounts: Int32Array;
  private itemColumns: { ptr: Int32Array; users: Int32Array } | null = null;
  private unrated: Int32Array | null = null;
  private recommendScores: Float64Array | null = null;
  /** The last folded-in member resolved, and its view (predictions come in runs per member). */
  private lastFolded: { user: FoldedUser; view: UserView } | null = null;

  constructor(core: ModelCore) {
    this.core = core;
    this.algorithm = core.algorithm;
    this.kind = core.kind;
    this.params = core.params;
    this.scale = core.scale;
    this.userIds = core.userIds;
    this.itemIds = core.itemIds;
    this.itemCounts = new Int32Array(core.itemIds.size);
    for (let p = 0; p < core.userItems.length; p++) this.itemCounts[core.userItems[p]]++;
  }

  /** Saved with the model (kept in the core, so toBytes writes what was set here). */
  get metadata(): ModelMetadata {
    return this.core.metadata;
  }

  set metadata(value: ModelMetadata) {
    this.core.metadata = value;
  }

  get users(): number {
    return this.userIds.size;
  }

  get items(): number {
    return this.itemIds.size;
  }

  userIndexOf(userId: number): number {
    return this.userIds.indexOf(userId);
  }

  itemIndexOf(movieId: number): number {
    return this.itemIds.indexOf(movieId);
  }

  // ---- hooks for algorithms -------------------------------------------------------------

  /** Model-specific state of a training user (e.g. a view of its factor row). */
  protected userState(_u: number): Float64Array | null {
    return null;
  }

  /**
   * Model-specific state of a folded-in user from its ratings (items fixed); `previous` is the
   * member's earlier fold-in by this model, if any, whose work may be reused.
   */
  protected foldState(
    _items: Int32Array,
    _ratings: Float32Array,
    _bias: number,
    _previous: FoldedUser | null,
  ): Float64Array | null {
    return null;
  }

  /** Ranking score of one known item (for rating models: the unclipped predicted rating). */
  protected abstract scoreOne(user: UserView, item: number): number;

  /** Ranking scores of all items; the default calls scoreOne per item. */
  protected scoreInto(user: UserView, out: Float64Array): void {
    for (let i = 0; i < this.items; i++) out[i] = this.scoreOne(user, i);
  }

  /** Similarity of two items for similarItems/explain; default: co-rating cosine. */
  protected itemSimilarity(i: number, j: number): number {
    return this.coRatingSimilarities(i)[j];
  }

  /** Similarities of item i to every item; default: itemSimilarity per item. */
  protected similarityRow(i: number, out: Float64Array): void {
    const row = this.coRatingSimilarities(i);
    out.set(row);
  }

  /** The arrays and fields this algorithm saves beside the core. */
  protected abstract parts(): ModelParts;

  // ---- public API -----------------------------------------------------------------------

  /**
   * Resolves a user reference once. A folded-in member's view is kept while the next calls are
   * for the same member, so that what a model derives from a view (e.g. item-knn's spread
   * ratings) serves a run of predictions.
   */
  view(user: UserRef): UserView {
    if (user instanceof FoldedUser) {
      if (this.lastFolded?.user !== user) {
        const view: UserView = {
          index: -1,
          items: user.items,
          ratings: user.ratings,
          bias: user.bias,
          state: user.state,
          known: true,
        };
        this.lastFolded = { user, view: this.completeView(user, view) };
      }
      return this.lastFolded.view;
    }
    if (
      !Number.isInteger(user) ||
      user < 0 ||
      user >= this.users ||
      this.core.userPtr[user] === this.core.userPtr[user + 1]
    ) {
      return {
        index: -1,
        items: EMPTY_INT,
        ratings: EMPTY_FLOAT,
        bias: 0,
        state: null,
        known: false,
      };
    }
    const { userPtr, userItems, userRatings, baseline } = this.core;
    const from = userPtr[user];
    const to = userPtr[user + 1];
    const view: UserView = {
      index: user,
      items: userItems.subarray(from, to),
      ratings: userRatings.subarray(from, to),
      bias: baseline.userBias[user],
      state: this.userState(user),
      known: true,
    };
    return this.completeView(user, view);
  }

  /** What a model adds to a known or folded-in user's view (a blend: its members' views). */
  protected completeView(_user: UserRef, view: UserView): UserView {
    return view;
  }

  /** Baseline estimate μ + b_u + b_i (b_i = 0 for an unknown item). */
  baselineOf(user: UserView, item: number): number {
    const b = this.core.baseline;
    const itemBias = item >= 0 && item < this.items ? b.itemBias[item] : 0;
    return b.globalMean + user.bias + itemBias;
  }

  clip(value: number): number {
    if (!(value === value)) return this.core.baseline.globalMean;
    return value < this.scale.min
      ? this.scale.min
      : value > this.scale.max
        ? this.scale.max
        : value;
  }

  /**
   * Unclipped rating estimate for a resolved user (rating models: scoreOne; else baseline).
   * Unknown users, unknown items and items without training ratings get the baseline.
   */
  estimate(user: UserView, item: number): number {
    if (!Number.isInteger(item) || item < 0 || item >= this.items) return this.baselineOf(user, -1);
    if (!user.known || this.itemCounts[item] === 0) return this.baselineOf(user, item);
    return this.kind === 'rating' ? this.scoreOne(user, item) : this.baselineOf(user, item);
  }

  predict(user: UserRef, item: number): number {
    return this.clip(this.estimate(this.view(user), item));
  }

  /**
   * predict for each pair (users[k], items[k]), in any order: the pairs are visited user by user,
   * so each user's view (SVD++'s implicit sum, a blend's member views) is built once, not once
   * per pair of a shuffled test or validation set.
   */
  predictMany(
    users: Int32Array,
    items: Int32Array,
    out = new Float32Array(users.length),
  ): Float32Array {
    let lastUser = -2;
    let view: UserView | null = null;
    for (const k of byUser(users)) {
      if (users[k] !== lastUser || view === null) {
        lastUser = users[k];
        view = this.view(lastUser);
      }
      out[k] = this.clip(this.estimate(view, items[k]));
    }
    return out;
  }

  scoreAll(user: UserRef, out = new Float64Array(this.items)): Float64Array {
    return this.scoreView(this.view(user), out);
  }

  /**
   * scoreAll for a resolved user. For a rating model every score equals estimate(view, item), so
   * items without training ratings get the baseline here too.
   */
  scoreView(view: UserView, out: Float64Array = new Float64Array(this.items)): Float64Array {
    if (!view.known) {
      const b = this.core.baseline;
      // An unknown user is ranked by item popularity-free baseline (item bias).
      for (let i = 0; i < this.items; i++) out[i] = b.globalMean + b.itemBias[i];
      return out;
    }
    this.scoreInto(view, out);
    if (this.kind === 'rating') {
      const unrated = this.unratedItems();
      for (let k = 0; k < unrated.length; k++) out[unrated[k]] = this.baselineOf(view, unrated[k]);
    }
    return out;
  }

  /** Items without training ratings (built on first use). */
  private unratedItems(): Int32Array {
    if (this.unrated) return this.unrated;
    const list: number[] = [];
    for (let i = 0; i < this.items; i++) if (this.itemCounts[i] === 0) list.push(i);
    this.unrated = Int32Array.from(list);
    return this.unrated;
  }

  recommend(user: UserRef, n: number, options: RecommendOptions = {}): ScoredItem[] {
    const view = this.view(user);
    // The scores are copied into the result, so one buffer serves every call.
    this.recommendScores ??= new Float64Array(this.items);
    const scores = this.scoreView(view, this.recommendScores);
    if (!options.includeRated)
      for (let k = 0; k < view.items.length; k++) scores[view.items[k]] = -Infinity;
    if (options.exclude)
      for (let k = 0; k < options.exclude.length; k++) scores[options.exclude[k]] = -Infinity;
    const best = topN(scores, n, options.candidates);
    return Array.from(best, (i) => ({ item: i, movieId: this.itemIds.ids[i], score: scores[i] }));
  }

  foldIn(ratings: readonly RatingInput[], previous?: FoldedUser): FoldedUser {
    const pairs: Array<[number, number]> = [];
    const seen = new Set<number>();
    for (const input of ratings) {
      const item =
        input.itemIndex ?? (input.movieId !== undefined ? this.itemIndexOf(input.movieId) : -1);
      if (item < 0 || item >= this.items || !Number.isFinite(input.rating) || seen.has(item))
        continue;
      seen.add(item);
      pairs.push([item, input.rating]);
    }
    pairs.sort((a, b) => a[0] - b[0]);
    return this.foldInItems(
      Int32Array.from(pairs, (p) => p[0]),
      Float32Array.from(pairs, (p) => p[1]),
      previous,
    );
  }

  /**
   * foldIn of ratings already resolved: distinct item indexes of this model, ascending, and their
   * finite ratings (e.g. a blend resolves them once for all its members).
   */
  foldInItems(items: Int32Array, values: Float32Array, previous?: FoldedUser): FoldedUser {
    const b = this.core.baseline;
    let sum = 0;
    for (let k = 0; k < items.length; k++) sum += values[k] - b.globalMean - b.itemBias[items[k]];
    const bias = items.length > 0 ? sum / (items.length + b.userDamping) : 0;
    return new FoldedUser(
      items,
      values,
      bias,
      this.foldState(items, values, bias, previous ?? null),
    );
  }

  similarItems(item: number, n: number): ScoredItem[] {
    if (item < 0 || item >= this.items) return [];
    const row = new Float64Array(this.items);
    this.similarityRow(item, row);
    row[item] = -Infinity;
    for (let j = 0; j < row.length; j++) if (!(row[j] > 0)) row[j] = -Infinity;
    return Array.from(topN(row, n), (j) => ({
      item: j,
      movieId: this.itemIds.ids[j],
      score: row[j],
    }));
  }

  explain(user: UserRef, item: number, n = 3): ScoredItem[] {
    const view = this.view(user);
    if (item < 0 || item >= this.items || view.items.length === 0) return [];
    const contributions = this.contributions(view, item);
    const order = topN(contributions, n);
    const result: ScoredItem[] = [];
    for (const k of order) {
      if (!(contributions[k] > 0)) break;
      const j = view.items[k];
      result.push({ item: j, movieId: this.itemIds.ids[j], score: contributions[k] });
    }
    return result;
  }

  /**
   * Contribution of each of the user's rated items (parallel to view.items) to the item's score.
   * Default: similarity(item, rated item) × (rating − scale.min + step), so items the user rated
   * higher and that are more similar explain more.
   */
  protected contributions(view: UserView, item: number): Float64Array {
    const out = this.similaritiesTo(item, view.items);
    const floor = this.scale.min - this.scale.step;
    for (let k = 0; k < out.length; k++) out[k] *= view.ratings[k] - floor;
    return out;
  }

  /** itemSimilarity(item, others[t]) for each t, in a new array (a model may batch them). */
  protected similaritiesTo(item: number, others: Int32Array): Float64Array {
    const out = new Float64Array(others.length);
    for (let t = 0; t < others.length; t++) out[t] = this.itemSimilarity(item, others[t]);
    return out;
  }

  /** Cosine of co-rating counts between item i and every item (built lazily from the CSR). */
  protected coRatingSimilarities(i: number): Float64Array {
    const columns = this.columns();
    const { userPtr, userItems } = this.core;
    const counts = new Float64Array(this.items);
    for (let p = columns.ptr[i]; p < columns.ptr[i + 1]; p++) {
      const u = columns.users[p];
      for (let q = userPtr[u]; q < userPtr[u + 1]; q++) counts[userItems[q]]++;
    }
    const own = columns.ptr[i + 1] - columns.ptr[i];
    for (let j = 0; j < this.items; j++) {
      const other = columns.ptr[j + 1] - columns.ptr[j];
      counts[j] = counts[j] > 0 ? counts[j] / Math.sqrt(own * other) : 0;
    }
    return counts;
  }

  /** Training raters of each item (CSC without values), built on first use. */
  protected columns(): { ptr: Int32Array; users: Int32Array } {
    if (this.itemColumns) return this.itemColumns;
    const { userPtr, userItems } = this.core;
    const ptr = new Int32Array(this.items + 1);
    for (let p = 0; p < userItems.length; p++) ptr[userItems[p] + 1]++;
    for (let i = 0; i < this.items; i++) ptr[i + 1] += ptr[i];
    const cursor = ptr.slice(0, this.items);
    const users = new Int32Array(userItems.length);
    for (let u = 0; u < this.users; u++) {
      for (let p = userPtr[u]; p < userPtr[u + 1]; p++) users[cursor[userItems[p]]++] = u;
    }
    this.itemColumns = { ptr, users };
    return this.itemColumns;
  }

  /** The model file (see serializeModel for `withoutTrainingData`). */
  toBytes(options: { withoutTrainingData?: boolean } = {}): Uint8Array {
    return serializeModel(this.core, this.parts(), options);
  }
}

type SharedCoreField = 'userIds' | 'itemIds' | 'userPtr' | 'userItems' | 'userRatings';
const SHARED_CORE_FIELDS: readonly SharedCoreField[] = [
  'userIds',
  'itemIds',
  'userPtr',
  'userItems',
  'userRatings',
];

/**
 * The positions 0 … n − 1 of `users`, user by user (in their own order within a user): one
 * native sort of the keys (user − min)·n + position, exact in a double below 2^53.
 */
function byUser(users: Int32Array): Int32Array {
  const n = users.length;
  const order = new Int32Array(n);
  let min = n > 0 ? users[0] : 0;
  let max = min;
  let sorted = true;
  for (let k = 0; k < n; k++) {
    order[k] = k;
    if (k > 0 && users[k] < users[k - 1]) sorted = false;
    if (users[k] < min) min = users[k];
    else if (users[k] > max) max = users[k];
  }
  if (sorted || (max - min + 1) * n >= 2 ** 53) return order;
  const keys = new Float64Array(n);
  for (let k = 0; k < n; k++) keys[k] = (users[k] - min) * n + k;
  keys.sort();
  for (let k = 0; k < n; k++) order[k] = keys[k] % n;
  return order;
}

function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Points `core` at `other`'s id maps and training ratings where they hold the same values
 * (models trained on the same data: a blend's members, the site's two models), so one copy
 * serves them all. What a model derived from them stays valid: the values are the same.
 */
export function shareTrainingData(core: ModelCore, other: ModelCore): void {
  for (const field of SHARED_CORE_FIELDS) {
    const mine = core[field];
    const theirs = other[field];
    if (mine === theirs) continue;
    const same =
      mine instanceof IdIndex
        ? sameValues(mine.ids, (theirs as IdIndex).ids)
        : sameValues(mine, theirs as ArrayLike<number>);
    // Each field keeps its type: the cast only says so across the union.
    if (same) (core as Record<SharedCoreField, unknown>)[field] = theirs;
  }
}

/** Rating matrix → the core fields every model shares. */
export function coreFromMatrix(
  matrix: RatingMatrix,
  algorithm: string,
  kind: 'rating' | 'ranking',
  params: Params,
  baseline: Baseline,
): ModelCore {
  return {
    algorithm,
    kind,
    params,
    scale: matrix.scale,
    userIds: matrix.userIds,
    itemIds: matrix.itemIds,
    userPtr: matrix.userPtr,
    userItems: matrix.userItems,
    userRatings: matrix.userRatings,
    baseline,
    metadata: {},
  };
}
