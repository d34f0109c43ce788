/**
 * The two models the site serves, each bound to the database id: the rating model (every star
 * shown is its prediction) and the ranking model (every list is ranked by it). Each is the newest
 * published file of its kind (`model.kind`, known from the algorithm in the file name), or, when
 * none is published, fitted on the database at start. With one model only (a `recommender`
 * experiment variant), it serves both roles.
 */
import type { Db } from '../db/connection.ts';
import {
  BaseModel,
  DEFAULT_ALGORITHM,
  DEFAULT_RANKING_ALGORITHM,
  fitAlgorithm,
  getAlgorithm,
  shareTrainingData,
  type Model,
} from '../recsys/index.ts';
import type { Catalog } from './catalog.ts';
import { loadDataset } from './datasetLoading.ts';
import { MODEL_EXTENSION, modelFilesNewestFirst, readModelFile } from './models.ts';

/** A published model must know this share of the database's rated movies to be used. */
const MIN_CATALOG_COVERAGE = 0.5;

export type ModelRole = 'rating' | 'ranking';
const ROLES: readonly ModelRole[] = ['rating', 'ranking'];

export interface ModelInfo {
  algorithm: string;
  version: string;
}

export interface ServedModel {
  model: Model;
  info: ModelInfo;
  /** catalog index → model item index (-1 when the model does not know the movie). */
  catalogToModel: Int32Array;
}

export interface ServedModelsOptions {
  modelsDir: string;
  /** Rating algorithm fitted when none is published (default: the recsys default). */
  algorithm?: string;
  /** Ranking algorithm fitted when none is published (default: DEFAULT_RANKING_ALGORITHM). */
  rankingAlgorithm?: string;
  seed?: number;
  log?: (message: string) => void;
}

const NONE: ModelInfo = { algorithm: 'none', version: 'none' };

export class ServedModels {
  private readonly served: Partial<Record<ModelRole, ServedModel>> = {};
  private readonly loadedFiles: Partial<Record<ModelRole, string>> = {};
  /** Published files this server may not serve (each is logged once and not read again). */
  private readonly skippedFiles = new Set<string>();

  constructor(
    private readonly catalog: Catalog,
    /** The database's id: only models trained on it are served. */
    private readonly databaseId: string,
    private readonly options: ServedModelsOptions,
    /** Called whenever a model is switched (cached fold-ins must go). */
    private readonly onChange: () => void,
  ) {}

  /** The model serving `role`: its own, else the other one (a single model serves both). */
  get(role: ModelRole): ServedModel | null {
    return this.served[role] ?? this.served[role === 'rating' ? 'ranking' : 'rating'] ?? null;
  }

  info(role: ModelRole): ModelInfo {
    return this.get(role)?.info ?? NONE;
  }

  /**
   * Loads the newest published model of each kind this server may serve when it is not the one
   * in use; true when any is in use from a file. Files it may not serve are skipped, and logged,
   * once.
   */
  loadNewest(): boolean {
    for (const role of ROLES) this.loadNewestOf(role);
    return ROLES.some((role) => this.loadedFiles[role] !== undefined);
  }

  private loadNewestOf(role: ModelRole): void {
    for (const path of modelFilesNewestFirst(this.options.modelsDir)) {
      if (path === this.loadedFiles[role]) return;
      if (this.skippedFiles.has(path) || roleOfFile(path) !== role) continue;
      const model = this.servableModel(path);
      if (!model) {
        this.skippedFiles.add(path);
        continue;
      }
      const version = path.slice(path.lastIndexOf('/') + 1, -MODEL_EXTENSION.length);
      this.use(model, { algorithm: model.algorithm, version });
      this.loadedFiles[role] = path;
      this.options.log?.(`recommendations: using the published ${role} model ${path}`);
      return;
    }
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

  /**
   * Fits, on every rating in the database, the rating and the ranking algorithm whose role no
   * published model fills. `single`: one model only (it serves both roles).
   */
  async fitMissing(db: Db, single = false): Promise<void> {
    const wanted = [
      this.options.algorithm ?? DEFAULT_ALGORITHM,
      this.options.rankingAlgorithm ?? DEFAULT_RANKING_ALGORITHM,
    ];
    const missing = wanted.filter((name) => !this.served[getAlgorithm(name).kind]);
    if (missing.length === 0 || (single && this.get('rating'))) return;
    const dataset = await loadDataset(db);
    if (dataset.ratings.length === 0) {
      this.options.log?.(
        'recommendations: the database holds no ratings yet; ranking by popularity',
      );
      return;
    }
    for (const algorithm of single ? missing.slice(0, 1) : missing) {
      const started = Date.now();
      const model = fitAlgorithm(
        algorithm,
        dataset.ratings,
        {},
        { seed: this.options.seed ?? 1, scale: dataset.scale },
      );
      this.use(model, { algorithm, version: `fitted-${new Date().toISOString()}` });
      this.options.log?.(
        `recommendations: no published ${model.kind} model, so fitted ${algorithm} on ${dataset.ratings.length} ratings in ${Date.now() - started} ms`,
      );
    }
  }

  /** Switches the role of the model's kind to it (e.g. one just trained). */
  use(model: Model, info: ModelInfo): void {
    // The other role's model, trained on the same ratings, keeps the one copy of them.
    const other = this.served[model.kind === 'rating' ? 'ranking' : 'rating']?.model;
    if (model instanceof BaseModel && other instanceof BaseModel)
      shareTrainingData(model.core, other.core);
    this.served[model.kind] = {
      model,
      info,
      catalogToModel: Int32Array.from(this.catalog.movies, (movie) => model.itemIndexOf(movie.id)),
    };
    this.onChange();
  }
}

/** The role of a published file from the algorithm in its name (`<algo>-<time>.lensmodel`). */
function roleOfFile(path: string): ModelRole {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const algorithm = name.slice(0, name.lastIndexOf('-'));
  try {
    return getAlgorithm(algorithm).kind;
  } catch {
    // Not a model this version knows: reading it reports why it is skipped.
    return 'rating';
  }
}
