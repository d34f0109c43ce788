/**
 * The live recommender: the newest model published from its database (or, when there is none, the
 * default algorithm fitted on the database at start), and per-member predictions by fold-in of
 * the member's current ratings (no retraining). Each member's fold-in, top list and the pages built
 * from them (cachePage) are cached and dropped when they rate or the model changes, so a new
 * rating changes the next page view.
 */
import { resolve } from 'node:path';
import type { Db } from '../db/connection.ts';
import {
  DEFAULT_ALGORITHM,
  fitAlgorithm,
  type FoldedUser,
  type Model,
  type ScoredItem,
} from '../recsys/index.ts';
import type { Catalog } from './catalog.ts';
import { loadDataset } from './datasets.ts';
import {
  databaseIdOf,
  DEFAULT_MODELS_DIR,
  MODEL_EXTENSION,
  modelFilesNewestFirst,
  readModelFile,
} from './models.ts';
import { ratingsOf } from './ratings.ts';

/** Length of the cached top list per member (the API serves up to 100). */
const TOP_LIST = 100;
const MEMBER_CACHE_LIMIT = 20_000;
const SIMILAR_CACHE_LIMIT = 20_000;
/** Pages cached per member (see cachePage): the common ones, e.g. the top 20 with and without a genre. */
const PAGES_PER_MEMBER = 2;
/** A published model must know this share of the database's rated movies to be used. */
const MIN_CATALOG_COVERAGE = 0.5;

export interface RecommenderOptions {
  /** Where published models live (default data/models). */
  modelsDir?: string;
  /** Algorithm fitted on the database when no model is published (default: the recsys default). */
  algorithm?: string;
  seed?: number;
  /** How often to look for a newer published model (ms; 0 = never). Default 60 s. */
  watchIntervalMs?: number;
  log?: (message: string) => void;
}

export interface ModelInfo {
  algorithm: string;
  version: string;
}

interface MemberState {
  /** movie id → rating */
  ratings: Map<number, { rating: number; ratedAt: number }>;
  folded: FoldedUser | null;
  /** The last fold-in by the current model, kept past a rating change: the next one reuses it. */
  lastFolded: FoldedUser | null;
  top: ScoredItem[] | null;
  /** Recommendations served since the last change (model item index → prediction and reason). */
  explained: Map<number, Recommendation>;
  /** Changes whenever the state is invalidated (a rating, a new model). */
  version: number;
  /** Pages built from this state by the caller (see cachePage). */
  pages: Map<string, unknown>;
}

export interface Recommendation {
  movieId: number;
  predictedRating: number;
  becauseYouRated: number[];
}

export class Recommender {
  private model: Model | null = null;
  private info: ModelInfo = { algorithm: 'none', version: 'none' };
  private loadedFile: string | null = null;
  /** Published files this server may not serve (each is logged once and not read again). */
  private readonly skippedFiles = new Set<string>();
  /** catalog index → model item index (-1 when the model does not know the movie). */
  private catalogToModel = new Int32Array(0);
  private readonly members = new Map<number, MemberState>();
  private readonly similarCache = new Map<number, number[]>();
  private stateVersions = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly modelsDir: string;

  private constructor(
    private readonly db: Db,
    private readonly catalog: Catalog,
    private readonly options: RecommenderOptions,
    /** The database's id: only models trained on it are served. */
    private readonly databaseId: string,
  ) {
    this.modelsDir = resolve(options.modelsDir ?? DEFAULT_MODELS_DIR);
  }

  /** Loads the newest published model of this database, else fits the default on it. */
  static async start(
    db: Db,
    catalog: Catalog,
    options: RecommenderOptions = {},
  ): Promise<Recommender> {
    const recommender = new Recommender(db, catalog, options, await databaseIdOf(db));
    if (!recommender.loadNewest()) await recommender.fitOnDatabase();
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

  get modelInfo(): ModelInfo {
    return this.info;
  }

  /**
   * Loads the newest published model this server may serve when it is not the one in use; true
   * when one is in use from a file. Files it may not serve are skipped, and logged, once.
   */
  loadNewest(): boolean {
    for (const path of modelFilesNewestFirst(this.modelsDir)) {
      if (path === this.loadedFile) return true;
      if (this.skippedFiles.has(path)) continue;
      const model = this.servableModel(path);
      if (!model) {
        this.skippedFiles.add(path);
        continue;
      }
      const version = path.slice(path.lastIndexOf('/') + 1, -MODEL_EXTENSION.length);
      this.use(model, { algorithm: model.algorithm, version });
      this.loadedFile = path;
      this.options.log?.(`recommendations: using the published model ${path}`);
      return true;
    }
    return this.loadedFile !== null;
  }

  /** The model in `path` when it is valid and this server may serve it, else null (logged). */
  private servableModel(path: string): Model | null {
    let model: Model;
    try {
      model = readModelFile(path);
    } catch (error) {
      this.options.log?.(`recommendations: could not load ${path}: ${(error as Error).message}`);
      return null;
    }
    const reason = this.reasonToSkip(model);
    if (reason === null) return model;
    this.options.log?.(`recommendations: skipping ${path}: ${reason}`);
    return null;
  }

  /** Why this server may not serve `model` (trained on other data), or null. */
  private reasonToSkip(model: Model): string | null {
    const { databaseId, source } = model.metadata;
    if (typeof databaseId !== 'string')
      return `no database id (source: ${String(source)}): models trained from dataset files, or before lenslab recorded database ids, are never served`;
    if (databaseId !== this.databaseId)
      return `trained on another database (id ${databaseId}, ${String(source)}; this one is ${this.databaseId})`;
    // The same database re-imported since: the model's ids would not mean these movies.
    const coverage = this.coverage(model);
    if (coverage < MIN_CATALOG_COVERAGE)
      return `it knows only ${(coverage * 100).toFixed(0)}% of the rated movies in this database`;
    return null;
  }

  /** Share of the catalog's rated movies the model knows (1 when nothing is rated). */
  private coverage(model: Model): number {
    let rated = 0;
    let known = 0;
    for (let c = 0; c < this.catalog.size; c++) {
      if (this.catalog.counts[c] === 0) continue;
      rated++;
      if (model.itemIndexOf(this.catalog.movies[c].id) >= 0) known++;
    }
    return rated === 0 ? 1 : known / rated;
  }

  /** Fits the default algorithm on every rating in the database (when no model is published). */
  async fitOnDatabase(): Promise<void> {
    const dataset = await loadDataset(this.db);
    if (dataset.ratings.length === 0) {
      this.options.log?.(
        'recommendations: the database holds no ratings yet; ranking by popularity',
      );
      return;
    }
    const algorithm = this.options.algorithm ?? DEFAULT_ALGORITHM;
    const started = Date.now();
    const model = fitAlgorithm(
      algorithm,
      dataset.ratings,
      {},
      { seed: this.options.seed ?? 1, scale: dataset.scale },
    );
    this.use(model, { algorithm, version: `fitted-${new Date().toISOString()}` });
    this.options.log?.(
      `recommendations: no published model, so fitted ${algorithm} on ${dataset.ratings.length} ratings in ${Date.now() - started} ms`,
    );
  }

  /** Switches to a model (e.g. one just trained); cached fold-ins are dropped. */
  use(model: Model, info: ModelInfo): void {
    this.model = model;
    this.info = info;
    this.catalogToModel = Int32Array.from(this.catalog.movies, (movie) =>
      model.itemIndexOf(movie.id),
    );
    for (const state of this.members.values()) {
      this.invalidate(state);
      state.lastFolded = null;
    }
    this.similarCache.clear();
  }

  // ---- members ---------------------------------------------------------------------------

  private async state(userId: number): Promise<MemberState> {
    let state = this.members.get(userId);
    if (state) {
      // Most recently used last.
      this.members.delete(userId);
      this.members.set(userId, state);
      return state;
    }
    const ratings = await ratingsOf(this.db.kysely, userId);
    state = {
      ratings: new Map(ratings.map((r) => [r.movieId, { rating: r.rating, ratedAt: r.ratedAt }])),
      folded: null,
      lastFolded: null,
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

  private folded(state: MemberState): FoldedUser | null {
    if (!this.model) return null;
    if (!state.folded) {
      const inputs = Array.from(state.ratings, ([movieId, r]) => ({ movieId, rating: r.rating }));
      state.folded = this.model.foldIn(inputs, state.lastFolded ?? undefined);
      state.lastFolded = state.folded;
    }
    return state.folded;
  }

  /** The member's ratings (movie id → rating). */
  async memberRatings(userId: number): Promise<Map<number, { rating: number; ratedAt: number }>> {
    return (await this.state(userId)).ratings;
  }

  /** Call after a member's rating changed (rating null = removed). */
  onRatingChanged(userId: number, movieId: number, rating: number | null, ratedAt: number): void {
    const state = this.members.get(userId);
    if (!state) return;
    if (rating === null) state.ratings.delete(movieId);
    else state.ratings.set(movieId, { rating, ratedAt });
    this.invalidate(state);
  }

  /** Drops everything derived from the member's ratings and the model. */
  private invalidate(state: MemberState): void {
    state.folded = null;
    state.top = null;
    state.explained.clear();
    state.pages.clear();
    state.version = ++this.stateVersions;
  }

  /**
   * The version of the member's state: it changes whenever their ratings or the model change.
   * Read it before building something from the state, and hand it to `cachePage`.
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
    this.members.delete(userId);
  }

  /** A predictor of the member's rating by catalog index (for summaries and the 'predicted' sort). */
  async predictor(userId: number): Promise<((catalogIndex: number) => number) | null> {
    const model = this.model;
    if (!model) return null;
    const folded = this.folded(await this.state(userId));
    if (!folded) return null;
    const map = this.catalogToModel;
    return (index) => model.predict(folded, map[index]);
  }

  /**
   * The member's top n movies with predicted ratings and the rated movies that explain each.
   * Only movies of `genre` when given (checked against the catalog).
   */
  async recommend(userId: number, n: number, genre?: string): Promise<Recommendation[]> {
    const model = this.model;
    const state = await this.state(userId);
    if (!model) return this.popularFallback(state, n, genre);
    const folded = this.folded(state)!;
    let items: ScoredItem[];
    if (genre) {
      const candidates: number[] = [];
      for (let c = 0; c < this.catalog.size; c++) {
        if (this.catalogToModel[c] >= 0 && this.catalog.hasGenre(c, genre))
          candidates.push(this.catalogToModel[c]);
      }
      items = model.recommend(folded, n, { candidates: Int32Array.from(candidates) });
    } else {
      state.top ??= model.recommend(folded, TOP_LIST);
      items = state.top.slice(0, n);
    }
    // Movies rated but unknown to the model are not in its exclusion list.
    items = items.filter((item) => !state.ratings.has(item.movieId));
    return items.map((item) => this.explained(state, folded, model, item));
  }

  /** Predicted rating and reason of a recommended item, computed once per member state. */
  private explained(
    state: MemberState,
    folded: FoldedUser,
    model: Model,
    item: ScoredItem,
  ): Recommendation {
    let cached = state.explained.get(item.item);
    if (!cached) {
      cached = {
        movieId: item.movieId,
        predictedRating: model.predict(folded, item.item),
        becauseYouRated: model.explain(folded, item.item, 3).map((e) => e.movieId),
      };
      state.explained.set(item.item, cached);
    }
    return cached;
  }

  private popularFallback(state: MemberState, n: number, genre?: string): Recommendation[] {
    const result: Recommendation[] = [];
    for (const index of this.catalog.byPopularity()) {
      if (result.length >= n) break;
      const movie = this.catalog.movies[index];
      if (state.ratings.has(movie.id) || (genre && !this.catalog.hasGenre(index, genre))) continue;
      result.push({
        movieId: movie.id,
        predictedRating: this.catalog.average(index) ?? 3,
        becauseYouRated: [],
      });
    }
    return result;
  }

  /** Movie ids most similar to a movie (from the model), cached per movie. */
  similar(movieId: number, n: number): number[] {
    const model = this.model;
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
