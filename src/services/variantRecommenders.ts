/**
 * The `recommender` experiment type (the README): its variant names are algorithm names
 * (`item-knn`, `als`, `svd`, …), and a member in a variant gets recommendations from a model of
 * that algorithm. Models are fitted on the database in the background the first time a variant
 * is asked for: the server's thread reads the ratings, a worker thread fits the model
 * (`fitModelTask`, a BackgroundJob) and writes it to a private temporary folder, from which a
 * Recommender loads it. Until the model is ready, the member is served by the site's model, and
 * the event log records the model that really served them. `stop` cancels fits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Db } from '../db/connection.ts';
import { ALGORITHM_NAMES } from '../recsys/index.ts';
import { toWireDataset } from '../datasets/dataset.ts';
import { BackgroundJob } from './backgroundJobs.ts';
import type { Catalog } from './catalog.ts';
import { loadDataset } from './datasetLoading.ts';
import type {
  ListChange,
  MemberChangeListener,
  RatingChange,
  RecommenderChoiceChange,
} from './memberChanges.ts';
import { databaseOrigin } from './models.ts';
import { Recommender } from './recommendations.ts';
import { RECOMMENDER_EXPERIMENT_TYPE, type RunningExperiments } from './runningExperiments.ts';

export interface VariantRecommendersOptions {
  db: Db;
  catalog: Catalog;
  /** The site's recommender: serves everyone outside a variant, and while a variant fits. */
  site: Recommender;
  running: RunningExperiments;
  log: (message: string) => void;
}

export class VariantRecommenders implements MemberChangeListener {
  private readonly ready = new Map<string, Recommender>();
  private readonly fitting = new Map<string, Promise<void>>();
  private readonly failed = new Set<string>();
  private readonly jobs = new Set<BackgroundJob<string>>();
  private closed = false;

  constructor(private readonly options: VariantRecommendersOptions) {}

  /**
   * The recommender that serves this member: the model of their `recommender` variant when it is
   * ready (fitting starts on first demand), else the site's. `wait` waits for the fit (tests).
   */
  async recommenderFor(memberId: number, options: { wait?: boolean } = {}): Promise<Recommender> {
    const { site, running } = this.options;
    const assigned = await running.variantOfType([RECOMMENDER_EXPERIMENT_TYPE], memberId);
    const variant = assigned?.variant;
    if (variant === undefined || !ALGORITHM_NAMES.includes(variant)) return site;
    if (variant === site.modelInfo.algorithm || this.failed.has(variant)) return site;
    const ready = this.ready.get(variant);
    if (ready) return ready;
    const fitting = this.fit(variant);
    if (!options.wait) return site;
    await fitting;
    return this.ready.get(variant) ?? site;
  }

  /** A member's changed rating reaches the variant models. */
  ratingChanged(change: RatingChange): void {
    for (const recommender of this.ready.values())
      recommender.onRatingChanged(change.memberId, change.movieId, change.rating, change.ratedAt);
  }

  /** A member's lists reach the variant models. */
  listChanged(change: ListChange): void {
    for (const recommender of this.ready.values())
      recommender.onListChanged(change.memberId, change.movieId, change.list !== null);
  }

  /** A member's chosen recommender reaches the variant models. */
  recommenderChosen(change: RecommenderChoiceChange): void {
    for (const recommender of this.ready.values())
      recommender.onChoiceChanged(change.memberId, change.choice);
  }

  /** A deleted member is forgotten by the variant models. */
  memberDeleted(memberId: number): void {
    for (const recommender of this.ready.values()) recommender.forget(memberId);
  }

  /** Server close: cancels fits in progress and stops the variant recommenders. */
  async stop(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.jobs].map((job) => job.cancel()));
    await Promise.all(this.fitting.values());
    for (const recommender of this.ready.values()) recommender.stop();
  }

  /** Starts fitting `algorithm` in the background (once). */
  private fit(algorithm: string): Promise<void> {
    let fitting = this.fitting.get(algorithm);
    if (!fitting) {
      fitting = this.fitOffThread(algorithm).then(
        (recommender) => {
          if (recommender && !this.closed) this.ready.set(algorithm, recommender);
          else this.failed.add(algorithm);
        },
        (error: Error) => {
          this.failed.add(algorithm);
          if (!this.closed)
            this.options.log(
              `recommender experiment: fitting ${algorithm} failed: ${error.message}`,
            );
        },
      );
      this.fitting.set(algorithm, fitting);
    }
    return fitting;
  }

  /** Fits `algorithm` on the database's ratings on a worker thread; a Recommender serving it. */
  private async fitOffThread(algorithm: string): Promise<Recommender | null> {
    const { db, catalog, log } = this.options;
    const dataset = await loadDataset(db);
    if (dataset.ratings.length === 0 || this.closed) return null;
    const modelsDir = mkdtempSync(join(tmpdir(), `lenslab-variant-${algorithm}-`));
    try {
      const job = new BackgroundJob<string>(
        new URL('./modelRuns.ts', import.meta.url),
        'fitModelTask',
        {
          algorithm,
          seed: 1,
          modelsDir,
          origin: await databaseOrigin(db),
          dataset: toWireDataset({ ...dataset, movies: [], users: [] }),
        },
      );
      this.jobs.add(job);
      try {
        await job.result;
      } finally {
        this.jobs.delete(job);
      }
      // The folder holds just the fitted model, so the Recommender loads it (and fits nothing).
      return await Recommender.start(db, catalog, {
        algorithm,
        modelsDir,
        singleModel: true,
        watchIntervalMs: 0,
        log,
      });
    } finally {
      rmSync(modelsDir, { recursive: true, force: true });
    }
  }
}
