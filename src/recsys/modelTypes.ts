/**
 * The contract every lenslab recommender follows. An algorithm is `fit(matrix, params) → Model`;
 * a Model predicts ratings, ranks items, folds in a member who rated after training, finds
 * similar items, explains a recommendation, and serializes itself to a versioned binary file.
 *
 * Models work on dense indexes (0..users-1, 0..items-1) internally. The external ids (user ids,
 * movie ids) map to them through `model.userIds` and `model.itemIds` (IdIndex: `indexOf(id)` is -1
 * for an unknown id, `ids[index]` is the id of an index); `userIndexOf`/`itemIndexOf` are
 * shorthands, and everything returned carries both the item index and the movie id.
 */
import type { IdIndex, RatingScale } from '../datasets/dataset.ts';

/** Hyper-parameters as given on a command line or in code. */
export type Params = Record<string, number | string>;

/** One documented hyper-parameter of an algorithm. */
export interface ParamSpec {
  readonly default: number | string;
  readonly description: string;
  /** Allowed values for a string parameter. */
  readonly choices?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
}

/** A rating of one item by a member, by dense item index or by movie id. */
export interface RatingInput {
  itemIndex?: number;
  movieId?: number;
  rating: number;
}

/** An item with a score: a recommendation, a similar item or an explaining rated item. */
export interface ScoredItem {
  /** Dense item index. */
  item: number;
  /** External movie id (model.itemIds.ids[item]). */
  movieId: number;
  score: number;
}

export interface RecommendOptions {
  /** Item indexes never to recommend (in addition to the user's rated items). */
  exclude?: ArrayLike<number>;
  /** Only rank these item indexes (default: the whole catalog). */
  candidates?: ArrayLike<number>;
  /** Also recommend items the user already rated (default false). */
  includeRated?: boolean;
}

/**
 * A member folded into a trained model (see Model.foldIn): usable wherever a user index is.
 * Its fields are the member's ratings (sorted by item index), the baseline user bias, and a
 * model-specific state (the user's factor vector for MF models; null for neighbourhood models).
 */
export class FoldedUser {
  constructor(
    readonly items: Int32Array,
    readonly ratings: Float32Array,
    readonly bias: number,
    readonly state: Float64Array | null,
    /** For a blend: the member folded into each member model. */
    readonly members: readonly FoldedUser[] = [],
  ) {}
}

/**
 * A user: a dense training user index (-1, out of range, or a user without training ratings =
 * unknown) or a folded-in member.
 */
export type UserRef = number | FoldedUser;

/** Data snapshot time, metrics or anything else a model file should carry; saved as JSON. */
export type ModelMetadata = Record<string, unknown>;

export interface Model {
  /** Algorithm name (see ALGORITHMS). */
  readonly algorithm: string;
  /** 'rating': predict() is this model's own estimate; 'ranking': the model only ranks items and
   * predict() returns the bias baseline. */
  readonly kind: 'rating' | 'ranking';
  /** All hyper-parameters, defaults filled in. */
  readonly params: Readonly<Params>;
  readonly scale: RatingScale;
  readonly userIds: IdIndex;
  readonly itemIds: IdIndex;
  /** Saved with the model: e.g. { snapshotTime, metrics }. */
  metadata: ModelMetadata;

  /** Dense index of a user id, or -1 (unknown users get the baseline for their ratings). */
  userIndexOf(userId: number): number;
  /** Dense index of a movie id, or -1. */
  itemIndexOf(movieId: number): number;
  /**
   * Predicted rating, clipped to the scale. Unknown users and items fall back to the bias
   * baseline (never NaN).
   */
  predict(user: UserRef, item: number): number;
  /** Predictions for many (user, item) pairs at once; `out` receives one rating per pair. */
  predictMany(users: Int32Array, items: Int32Array, out?: Float32Array): Float32Array;
  /**
   * Ranking score of every item for a user into `out` (length items). Higher is better; for a
   * rating model the unclipped predicted rating.
   */
  scoreAll(user: UserRef, out?: Float64Array): Float64Array;
  /** The n best items for the user, best first, the user's rated items excluded by default. */
  recommend(user: UserRef, n: number, options?: RecommendOptions): ScoredItem[];
  /**
   * Personal predictions for a member who joined or rated after training, without retraining:
   * the model's items stay fixed and only this user's parameters are estimated. Pass the
   * member's complete current ratings; ratings of unknown movies are ignored. `previous`, the
   * same member's earlier fold-in by this model, lets a model reuse its work (a factor model
   * updates its normal equations by the ratings that changed); the result is the same.
   */
  foldIn(ratings: readonly RatingInput[], previous?: FoldedUser): FoldedUser;
  /** The n items most similar to an item (itself excluded), most similar first. */
  similarItems(item: number, n: number): ScoredItem[];
  /**
   * Why `item` is recommended to `user`: the user's rated items that contribute most, strongest
   * first (score = contribution; only positive contributions).
   */
  explain(user: UserRef, item: number, n?: number): ScoredItem[];
  /** The versioned binary model file (see serialize.ts). Same seed and data → same bytes. */
  toBytes(): Uint8Array;
}

/** Everything every model keeps: parameters, id maps, training ratings by user, baseline. */
export interface ModelCore {
  algorithm: string;
  kind: 'rating' | 'ranking';
  params: Params;
  scale: RatingScale;
  userIds: IdIndex;
  itemIds: IdIndex;
  /** Training ratings by user (CSR, rows sorted by item). */
  userPtr: Int32Array;
  userItems: Int32Array;
  userRatings: Float32Array;
  baseline: Baseline;
  metadata: ModelMetadata;
}

/** The regularized bias baseline b_ui = μ + b_u + b_i (see algorithms/bias.ts). */
export interface Baseline {
  globalMean: number;
  userBias: Float64Array;
  itemBias: Float64Array;
  /** Damping of the user bias: b_u = Σ(r − μ − b_i) / (n_u + userDamping). */
  userDamping: number;
}

/** Named typed arrays plus JSON fields a model saves beside its core. */
export interface ModelParts {
  arrays: Record<string, Float64Array | Float32Array | Int32Array>;
  fields: Record<string, number | string | boolean>;
}

/** What a model sees of a user while predicting: known or folded, resolved once. */
export interface UserView {
  /** Training index, or -1 for a folded-in or unknown user. */
  index: number;
  items: Int32Array;
  ratings: Float32Array;
  bias: number;
  state: Float64Array | null;
  /** False for an unknown user index (everything falls back to item baselines). */
  known: boolean;
  /** For a blend: the user's view in each member model. */
  members?: UserView[];
}
