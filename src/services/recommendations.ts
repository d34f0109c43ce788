/**
 * The live recommender: the site's two models (ServedModels: the rating model for every star, the
 * ranking model for every list) and per-member predictions by fold-in of the member's current
 * ratings (no retraining). Lists are ordered by the member's chosen recommender
 * (recommenderChoices.ts) over one candidate list (`candidates`: the catalog minus rated, listed
 * and excluded movies). Each member's ratings, choice and listed movies are read once and kept
 * up to date by MemberChanges; their fold-ins, top list and the pages built from them
 * (cachePage) are cached and dropped when they rate, choose, list a movie or a model changes, so
 * the next page view shows it.
 */
import { resolve } from 'node:path';
import type { Db } from '../db/connection.ts';
import { topN, type FoldedUser, type Model, type ScoredItem } from '../recsys/index.ts';
import type { Catalog } from './catalog.ts';
import { excludedFromRecommendations } from './memberLists.ts';
import { databaseIdOf, DEFAULT_MODELS_DIR } from './models.ts';
import { ratingsOf } from './ratings.ts';
import { recommenderChoiceOf } from './recommenderChoice.ts';
import {
  choiceScores,
  itemPopularity,
  type ItemPopularity,
  type RecommenderChoice,
} from './recommenderChoices.ts';
import { ServedModels, type ModelInfo, type ServedModel } from './servedModels.ts';

export type { ModelInfo } from './servedModels.ts';

/** Length of the cached top list per member (the API serves up to 100). */
const TOP_LIST = 100;
const MEMBER_CACHE_LIMIT = 20_000;
const SIMILAR_CACHE_LIMIT = 20_000;
/** Pages cached per member (see cachePage): e.g. the home page and the top 20. */
const PAGES_PER_MEMBER = 2;

export interface RecommenderOptions {
  /** Where published models live (default data/models). */
  modelsDir?: string;
  /** Rating algorithm fitted on the database when none is published (default: the recsys default). */
  algorithm?: string;
  /** Ranking algorithm fitted when none is published (default: DEFAULT_RANKING_ALGORITHM). */
  rankingAlgorithm?: string;
  /** One model only (an experiment variant's), serving both the stars and the lists. */
  singleModel?: boolean;
  seed?: number;
  /** How often to look for a newer published model (ms; 0 = never). Default 60 s. */
  watchIntervalMs?: number;
  log?: (message: string) => void;
}

interface MemberState {
  /** movie id → rating */
  ratings: Map<number, { rating: number; ratedAt: number }>;
  choice: RecommenderChoice;
  /** Movies on the member's wishlist or hidden list: never recommended. */
  listed: Set<number>;
  /** Fold-ins by each model in use. */
  folded: Map<Model, FoldedUser>;
  /** The last fold-ins by the current models, kept past a rating change: the next reuses them. */
  lastFolded: Map<Model, FoldedUser>;
  top: ScoredItem[] | null;
  /** Recommendations served since the last change (ranking item index → prediction and reason). */
  explained: Map<number, Recommendation>;
  /** Changes whenever the state is invalidated (a rating, a choice, a list, a new model). */
  version: number;
  /** Pages built from this state by the caller (see cachePage). */
  pages: Map<string, unknown>;
}

/** A member's state being read from the database. */
interface Loading {
  state: Promise<MemberState>;
  /** Set when the member changed meanwhile: the read is done again. */
  stale: boolean;
}

export interface Recommendation {
  movieId: number;
  predictedRating: number;
  becauseYouRated: number[];
}

export interface RecommendOptions {
  /** Only movies of this genre (checked against the catalog). */
  genre?: string;
  /** Movie ids never to list besides the member's listed movies (e.g. shown higher on the page). */
  exclude?: ReadonlySet<number>;
}

export class Recommender {
  private readonly models: ServedModels;
  /** Per ranking model: item popularity for the choices. */
  private popularity: ItemPopularity | null = null;
  private readonly members = new Map<number, MemberState>();
  /** Members whose state is being read; a change to one meanwhile makes it read again. */
  private readonly loading = new Map<number, Loading>();
  private readonly similarCache = new Map<number, number[]>();
  /** Scratch of `candidates` by catalog index (all 0 between calls). */
  private skipped = new Uint8Array(0);
  private stateVersions = 0;
  private timer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly db: Db,
    private readonly catalog: Catalog,
    private readonly options: RecommenderOptions,
    databaseId: string,
  ) {
    this.models = new ServedModels(
      catalog,
      databaseId,
      { ...options, modelsDir: resolve(options.modelsDir ?? DEFAULT_MODELS_DIR) },
      () => this.modelsChanged(),
    );
  }

  /** Loads the newest published models of this database, else fits the defaults on it. */
  static async start(
    db: Db,
    catalog: Catalog,
    options: RecommenderOptions = {},
  ): Promise<Recommender> {
    const recommender = new Recommender(db, catalog, options, await databaseIdOf(db));
    recommender.models.loadNewest();
    await recommender.models.fitMissing(db, options.singleModel);
    const interval = options.watchIntervalMs ?? 60_000;
    if (interval > 0) {
      recommender.timer = setInterval(() => recommender.loadNewest(), interval);
      recommender.timer.unref();
    }
    return recommender;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The rating model (every star shown). */
  get modelInfo(): ModelInfo {
    return this.models.info('rating');
  }

  /** The ranking model (every list shown). */
  get rankingInfo(): ModelInfo {
    return this.models.info('ranking');
  }

  /** Loads newer published models; true when any is in use from a file. */
  loadNewest(): boolean {
    return this.models.loadNewest();
  }

  /** Switches the role of the model's kind to it (e.g. one just trained). */
  use(model: Model, info: ModelInfo): void {
    this.models.use(model, info);
  }

  /** A model changed: cached fold-ins are dropped. */
  private modelsChanged(): void {
    const ranking = this.models.get('ranking');
    this.popularity = ranking
      ? itemPopularity(ranking.model, (item) => this.catalogCountOf(ranking.model, item))
      : null;
    for (const state of this.members.values()) {
      this.invalidate(state);
      state.lastFolded.clear();
    }
    this.similarCache.clear();
  }

  private catalogCountOf(model: Model, item: number): number {
    const index = this.catalog.indexOf(model.itemIds.ids[item]);
    return index < 0 ? 0 : this.catalog.counts[index];
  }

  // ---- members ---------------------------------------------------------------------------

  private async state(userId: number): Promise<MemberState> {
    const state = this.members.get(userId);
    if (!state) return this.loading.get(userId)?.state ?? this.load(userId);
    // Most recently used last.
    this.members.delete(userId);
    this.members.set(userId, state);
    return state;
  }

  /** Reads the member's state once for concurrent requests (see `read`). */
  private load(userId: number): Promise<MemberState> {
    const loading = { stale: false } as Loading;
    loading.state = this.read(userId, loading).finally(() => this.loading.delete(userId));
    this.loading.set(userId, loading);
    return loading.state;
  }

  /**
   * The member's ratings, choice and lists from the database, read again when one of them
   * changed meanwhile (the change found no state to update: see `changing`).
   */
  private async read(userId: number, loading: { stale: boolean }): Promise<MemberState> {
    for (;;) {
      loading.stale = false;
      const [ratings, choice, listed] = await Promise.all([
        ratingsOf(this.db.kysely, userId),
        recommenderChoiceOf(this.db, userId),
        excludedFromRecommendations(this.db, userId),
      ]);
      if (loading.stale) continue;
      const state: MemberState = {
        ratings: new Map(ratings.map((r) => [r.movieId, { rating: r.rating, ratedAt: r.ratedAt }])),
        choice,
        listed,
        folded: new Map(),
        lastFolded: new Map(),
        top: null,
        explained: new Map(),
        version: ++this.stateVersions,
        pages: new Map(),
      };
      if (this.members.size >= MEMBER_CACHE_LIMIT) {
        const oldest = this.members.keys().next().value;
        if (oldest !== undefined) this.members.delete(oldest);
      }
      this.members.set(userId, state);
      return state;
    }
  }

  /** The member's cached state, or undefined (then a read in progress is marked stale). */
  private changing(userId: number): MemberState | undefined {
    const state = this.members.get(userId);
    if (!state) {
      const loading = this.loading.get(userId);
      if (loading) loading.stale = true;
    }
    return state;
  }

  private folded(state: MemberState, model: Model): FoldedUser {
    let folded = state.folded.get(model);
    if (!folded) {
      const inputs = Array.from(state.ratings, ([movieId, r]) => ({ movieId, rating: r.rating }));
      folded = model.foldIn(inputs, state.lastFolded.get(model));
      state.folded.set(model, folded);
      state.lastFolded.set(model, folded);
    }
    return folded;
  }

  /** The member's ratings (movie id → rating). */
  async memberRatings(userId: number): Promise<Map<number, { rating: number; ratedAt: number }>> {
    return (await this.state(userId)).ratings;
  }

  /** Call after a member's rating changed (rating null = removed). */
  onRatingChanged(userId: number, movieId: number, rating: number | null, ratedAt: number): void {
    const state = this.changing(userId);
    if (!state) return;
    if (rating === null) state.ratings.delete(movieId);
    else state.ratings.set(movieId, { rating, ratedAt });
    this.invalidate(state);
  }

  /** Call after a member chose another recommender. */
  onChoiceChanged(userId: number, choice: RecommenderChoice): void {
    const state = this.changing(userId);
    if (!state || state.choice === choice) return;
    state.choice = choice;
    this.invalidate(state);
  }

  /**
   * Call after a movie was put on one of the member's lists (`listed`) or taken off. Only the
   * lists built from the state go: fold-ins and explanations do not depend on it.
   */
  onListChanged(userId: number, movieId: number, listed: boolean): void {
    const state = this.changing(userId);
    if (!state || state.listed.has(movieId) === listed) return;
    if (listed) state.listed.add(movieId);
    else state.listed.delete(movieId);
    state.top = null;
    state.pages.clear();
    state.version = ++this.stateVersions;
  }

  /** Drops everything derived from the member's ratings, choice and the models. */
  private invalidate(state: MemberState): void {
    state.folded.clear();
    state.top = null;
    state.explained.clear();
    state.pages.clear();
    state.version = ++this.stateVersions;
  }

  /**
   * The version of the member's state: it changes whenever their ratings, choice, lists or the
   * models change. Read it before building something from the state, and hand it to `cachePage`.
   */
  async memberVersion(userId: number): Promise<number> {
    return (await this.state(userId)).version;
  }

  /**
   * Keeps a page built from the member's state (e.g. a serialized recommendation list) until
   * their state changes. Not kept when it changed since `version` was read (a rating arrived
   * while the page was built).
   */
  cachePage<T>(userId: number, key: string, version: number, page: T): void {
    const state = this.members.get(userId);
    if (!state || state.version !== version) return;
    if (state.pages.size >= PAGES_PER_MEMBER) state.pages.clear();
    state.pages.set(key, page);
  }

  /** A page kept by `cachePage` while the member's state is at `version`, or undefined. */
  cachedPage<T>(userId: number, key: string, version: number): T | undefined {
    const state = this.members.get(userId);
    return state?.version === version ? (state.pages.get(key) as T | undefined) : undefined;
  }

  /** Forgets a member entirely (account deleted). */
  forget(userId: number): void {
    this.changing(userId);
    this.members.delete(userId);
  }

  /** The rating model's prediction of the member's rating by catalog index (every star shown). */
  async predictor(userId: number): Promise<((catalogIndex: number) => number) | null> {
    const rating = this.models.get('rating');
    if (!rating) return null;
    const folded = this.folded(await this.state(userId), rating.model);
    const { model, catalogToModel } = rating;
    return (index) => model.predict(folded, catalogToModel[index]);
  }

  /**
   * The member's ranking score by catalog index under their chosen recommender (explore sorted
   * "for you"; -Infinity for movies it never lists), or null without a model.
   */
  async ranker(userId: number): Promise<((catalogIndex: number) => number) | null> {
    const ranking = this.models.get('ranking');
    if (!ranking) return null;
    const state = await this.state(userId);
    const scores = this.scores(state, ranking);
    const map = ranking.catalogToModel;
    return (index) => (map[index] >= 0 ? scores[map[index]] : -Infinity);
  }

  /** The member's chosen recommender. */
  async choiceOf(userId: number): Promise<RecommenderChoice> {
    return (await this.state(userId)).choice;
  }

  private scores(state: MemberState, ranking: ServedModel): Float64Array {
    const folded = this.folded(state, ranking.model);
    return choiceScores(state.choice, ranking.model, folded, this.popularity!);
  }

  /**
   * The member's top n movies by the ranking model under their chosen recommender, with the
   * rating model's predicted stars and the rated movies that explain each; never a movie on
   * their lists.
   */
  async recommend(
    userId: number,
    n: number,
    options: RecommendOptions = {},
  ): Promise<Recommendation[]> {
    const ranking = this.models.get('ranking');
    const state = await this.state(userId);
    if (!ranking) return this.popularFallback(state, n, options);
    const ranked = (count: number): ScoredItem[] => {
      const scores = this.scores(state, ranking);
      const best = topN(scores, count, this.candidates(state, ranking, options));
      const ids = ranking.model.itemIds.ids;
      return Array.from(best, (item) => ({ item, movieId: ids[item], score: scores[item] }));
    };
    const plain = options.genre === undefined && (options.exclude?.size ?? 0) === 0;
    const items = plain ? (state.top ??= ranked(TOP_LIST)).slice(0, n) : ranked(n);
    return items.map((item) => this.explained(state, ranking.model, item));
  }

  /**
   * The one place a list's candidates are chosen: the ranking model's items in the catalog, of
   * the genre when given, neither rated nor listed by the member, nor excluded.
   */
  private candidates(
    state: MemberState,
    ranking: ServedModel,
    { genre, exclude }: RecommendOptions,
  ): Int32Array {
    const { catalog } = this;
    // Catalog indexes not to list, marked from the member's few movies (not a lookup per movie).
    if (this.skipped.length !== catalog.size) this.skipped = new Uint8Array(catalog.size);
    const skipped = this.skipped;
    const marked: number[] = [];
    for (const movies of [state.ratings.keys(), state.listed, exclude ?? []]) {
      for (const movieId of movies) {
        const index = catalog.indexOf(movieId);
        if (index >= 0 && skipped[index] === 0) {
          skipped[index] = 1;
          marked.push(index);
        }
      }
    }
    const { catalogToModel } = ranking;
    const list = new Int32Array(catalog.size);
    let count = 0;
    for (let c = 0; c < catalog.size; c++) {
      const item = catalogToModel[c];
      if (item < 0 || skipped[c] === 1) continue;
      if (genre === undefined || catalog.hasGenre(c, genre)) list[count++] = item;
    }
    for (const index of marked) skipped[index] = 0;
    return list.subarray(0, count);
  }

  /** Predicted stars (rating model) and reason (ranking model), computed once per member state. */
  private explained(state: MemberState, ranking: Model, item: ScoredItem): Recommendation {
    let cached = state.explained.get(item.item);
    if (!cached) {
      const rating = this.models.get('rating')!.model;
      const stars = rating.predict(this.folded(state, rating), rating.itemIndexOf(item.movieId));
      cached = {
        movieId: item.movieId,
        predictedRating: stars,
        becauseYouRated: ranking
          .explain(this.folded(state, ranking), item.item, 3)
          .map((e) => e.movieId),
      };
      state.explained.set(item.item, cached);
    }
    return cached;
  }

  private popularFallback(
    state: MemberState,
    n: number,
    { genre, exclude }: RecommendOptions,
  ): Recommendation[] {
    const result: Recommendation[] = [];
    for (const index of this.catalog.byPopularity()) {
      if (result.length >= n) break;
      const movie = this.catalog.movies[index];
      if (state.ratings.has(movie.id) || state.listed.has(movie.id) || exclude?.has(movie.id))
        continue;
      if (genre !== undefined && !this.catalog.hasGenre(index, genre)) continue;
      result.push({
        movieId: movie.id,
        predictedRating: this.catalog.average(index) ?? 3,
        becauseYouRated: [],
      });
    }
    return result;
  }

  /** Movie ids most similar to a movie (from the ranking model), cached per movie. */
  similar(movieId: number, n: number): number[] {
    const model = this.models.get('ranking')?.model;
    if (!model) return [];
    const cached = this.similarCache.get(movieId);
    if (cached && cached.length >= n) return cached.slice(0, n);
    const item = model.itemIndexOf(movieId);
    const ids = item < 0 ? [] : model.similarItems(item, Math.max(n, 12)).map((s) => s.movieId);
    if (this.similarCache.size >= SIMILAR_CACHE_LIMIT) this.similarCache.clear();
    this.similarCache.set(movieId, ids);
    return ids.slice(0, n);
  }
}
