/**
 * The `recommender` experiment type (the README): its variant names are algorithm names
 * (`item-knn`, `als`, `svd`, …), and a member in a variant gets recommendations from a model of
 * that algorithm. Models are fitted on the database in the background the first time a variant
 * is asked for: the server's thread reads the ratings, a worker thread fits the model
 * (`fitModelTask`, a BackgroundJob) and writes it to a private temporary folder, from which a
 * Recommender loads it. Until the model is ready, the member is served by the site's model, and
 * the event log records the model that really served them. Closing the server cancels fits.
 *
 * Wiring (two lines in the server's handlers):
 * - recommendations route: `const recommender = await recommenderFor(services, userId);` then
 *   `recommender.recommend(…)` and `recommender.modelInfo` instead of `services.recommender`;
 * - after a rating changes: `ratingChangedForVariants(services, userId, movieId, rating, ratedAt)`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALGORITHM_NAMES } from '../recsys/index.ts';
import { BackgroundJob, toWireDataset } from '../services/backgroundJobs.ts';
import { loadDataset } from '../services/datasets.ts';
import { databaseOrigin } from '../services/models.ts';
import { Recommender } from '../services/recommendations.ts';
import type { Services } from './context.ts';
import { researchOf, runningExperimentNames } from './research.ts';

export const RECOMMENDER_EXPERIMENT_TYPE = 'recommender';

interface Pool {
  ready: Map<string, Recommender>;
  fitting: Map<string, Promise<void>>;
  failed: Set<string>;
  jobs: Set<BackgroundJob<string>>;
  closed: boolean;
}

const pools = new WeakMap<Services, Pool>();

function poolOf(services: Services): Pool {
  let pool = pools.get(services);
  if (!pool) {
    pool = {
      ready: new Map(),
      fitting: new Map(),
      failed: new Set(),
      jobs: new Set(),
      closed: false,
    };
    pools.set(services, pool);
  }
  return pool;
}

/** The member's variant of a running `recommender` experiment, or null. */
export async function recommenderVariant(
  services: Services,
  memberId: number,
): Promise<string | null> {
  const { experiments } = researchOf(services);
  for (const name of await runningExperimentNames(services)) {
    if (name !== RECOMMENDER_EXPERIMENT_TYPE && !name.startsWith(`${RECOMMENDER_EXPERIMENT_TYPE}-`))
      continue;
    const variant = await experiments.variantFor(name, memberId);
    if (variant !== null) return variant;
  }
  return null;
}

/** Fits `algorithm` on the database's ratings on a worker thread; a Recommender serving it. */
async function fitOffThread(
  services: Services,
  pool: Pool,
  algorithm: string,
): Promise<Recommender | null> {
  const dataset = await loadDataset(services.db);
  if (dataset.ratings.length === 0 || pool.closed) return null;
  const modelsDir = mkdtempSync(join(tmpdir(), `lenslab-variant-${algorithm}-`));
  try {
    const job = new BackgroundJob<string>(
      new URL('../services/modelRuns.ts', import.meta.url),
      'fitModelTask',
      {
        algorithm,
        seed: 1,
        modelsDir,
        origin: await databaseOrigin(services.db),
        dataset: toWireDataset({ ...dataset, movies: [], users: [] }),
      },
    );
    pool.jobs.add(job);
    try {
      await job.result;
    } finally {
      pool.jobs.delete(job);
    }
    // The folder holds just the fitted model, so the Recommender loads it (and fits nothing).
    return await Recommender.start(services.db, services.catalog, {
      algorithm,
      modelsDir,
      watchIntervalMs: 0,
      log: services.log,
    });
  } finally {
    rmSync(modelsDir, { recursive: true, force: true });
  }
}

/** Starts fitting `algorithm` in the background (once). */
function fit(services: Services, pool: Pool, algorithm: string): Promise<void> {
  let fitting = pool.fitting.get(algorithm);
  if (!fitting) {
    fitting = fitOffThread(services, pool, algorithm).then(
      (recommender) => {
        if (recommender && !pool.closed) pool.ready.set(algorithm, recommender);
        else pool.failed.add(algorithm);
      },
      (error: Error) => {
        pool.failed.add(algorithm);
        if (!pool.closed)
          services.log(`recommender experiment: fitting ${algorithm} failed: ${error.message}`);
      },
    );
    pool.fitting.set(algorithm, fitting);
  }
  return fitting;
}

/**
 * The recommender that serves this member: the model of their `recommender` variant when it is
 * ready (fitting starts on first demand), else the site's. `wait` waits for the fit (tests).
 */
export async function recommenderFor(
  services: Services,
  memberId: number,
  options: { wait?: boolean } = {},
): Promise<Recommender> {
  const variant = await recommenderVariant(services, memberId);
  if (variant === null || !ALGORITHM_NAMES.includes(variant)) return services.recommender;
  if (variant === services.recommender.modelInfo.algorithm) return services.recommender;
  const pool = poolOf(services);
  if (pool.failed.has(variant)) return services.recommender;
  const ready = pool.ready.get(variant);
  if (ready) return ready;
  const fitting = fit(services, pool, variant);
  if (options.wait) {
    await fitting;
    return pool.ready.get(variant) ?? services.recommender;
  }
  return services.recommender;
}

/** Tells the variant models about a member's changed rating (null: removed). */
export function ratingChangedForVariants(
  services: Services,
  memberId: number,
  movieId: number,
  rating: number | null,
  ratedAt: number,
): void {
  const pool = pools.get(services);
  if (!pool) return;
  for (const recommender of pool.ready.values())
    recommender.onRatingChanged(memberId, movieId, rating, ratedAt);
}

/** Forgets a deleted member in the variant models. */
export function forgetMemberInVariants(services: Services, memberId: number): void {
  const pool = pools.get(services);
  if (!pool) return;
  for (const recommender of pool.ready.values()) recommender.forget(memberId);
}

/** Server close: cancels fits in progress and stops the variant recommenders. */
export async function stopVariantRecommenders(services: Services): Promise<void> {
  const pool = pools.get(services);
  if (!pool) return;
  pool.closed = true;
  await Promise.all([...pool.jobs].map((job) => job.cancel()));
  await Promise.all(pool.fitting.values());
  for (const recommender of pool.ready.values()) recommender.stop();
}
