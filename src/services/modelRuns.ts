/**
 * Model training and evaluation runs started from the researcher console: background jobs, one
 * at a time, with progress a client can poll and a results table.
 *
 * - `evaluate`: the algorithm on a protocol (kfold5, split90, holdout20, temporal-last5) over the
 *   database's ratings, fold by fold; the result is the mean of each metric and the times.
 * - `train`: like `lenslab train`: measures on a held-out split (split90 for rating predictors,
 *   holdout20 for rankers), then fits on everything; with `publish` the model is written to the
 *   models folder and the database, and the live recommenders of every node switch to it.
 *
 * The server's thread reads the ratings from the database; the folds and fits run on a worker
 * thread (`modelRunTask`, see backgroundJobs.ts), so requests are answered while a run works.
 * A run can be cancelled; the server cancels the running one when it closes.
 */
import { rmSync } from 'node:fs';
import { basename } from 'node:path';
import type { Db } from '../db/connection.ts';
import { fitAlgorithm, getAlgorithm, ALGORITHM_NAMES, type Params } from '../recsys/index.ts';
import { evaluateAlgorithm, summarize, type FoldResult } from '../recsys/eval/evaluate.ts';
import { protocolFolds } from '../recsys/eval/protocols.ts';
import { fromWireDataset, toWireDataset, type WireDataset } from '../datasets/dataset.ts';
import type { JobReporter } from './backgroundJobs.ts';
import { loadDataset } from './datasetLoading.ts';
import { invalid } from './errors.ts';
import { JobSlot } from './jobSlot.ts';
import {
  databaseOrigin,
  DEFAULT_MODELS_DIR,
  MODEL_EXTENSION,
  publishModel,
  readModelFile,
  type ModelOrigin,
} from './models.ts';
import { storeModel } from './modelStore.ts';
import type { Recommender } from './recommendations.ts';

export const RUN_KINDS = ['train', 'evaluate'] as const;
export type RunKind = (typeof RUN_KINDS)[number];
/** Protocols a console run may use (the ml100k-uN splits need files, not the database). */
export const RUN_PROTOCOLS = ['kfold5', 'split90', 'holdout20', 'temporal-last5'] as const;
export type RunProtocol = (typeof RUN_PROTOCOLS)[number];

export const RUN_STATUSES = ['running', 'done', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface RunRequest {
  kind: RunKind;
  algorithm: string;
  /** evaluate: the protocol (default split90 for rating predictors, holdout20 for rankers). */
  protocol?: RunProtocol;
  seed?: number;
  params?: Params;
  /** train: publish the model and switch the live recommender to it (default false). */
  publish?: boolean;
}

export interface ModelRun {
  id: number;
  kind: RunKind;
  algorithm: string;
  protocol: string | null;
  seed: number;
  publish: boolean;
  status: RunStatus;
  /** 0..1 */
  progress: number;
  /** What the job is doing now, e.g. "fold 2 of 5". */
  phase: string;
  startedAt: string;
  finishedAt: string | null;
  /** Metric name → value (means over folds). */
  metrics: Record<string, number>;
  fitSeconds: number | null;
  predictSeconds: number | null;
  ratings: number | null;
  /** train with publish: the model version now served. */
  modelVersion: string | null;
  error: string | null;
  /** Member id of the researcher who started it. */
  startedBy: number | null;
}

export interface ModelRunsOptions {
  /** Where `publish` writes models (default LENSLAB_MODELS_DIR or data/models). */
  modelsDir?: string;
  /** Finished runs remembered (default 50). */
  keep?: number;
  /**
   * The app node's id in the change log: a published model is stored in the database too, and
   * every node switches to it (modelStore.ts). Without it, the model stays in the folder only.
   */
  node?: string;
  log?: (message: string) => void;
}

export class ModelRuns {
  private readonly runs: ModelRun[] = [];
  private nextId = 1;
  private readonly slot = new JobSlot('a model run is in progress; wait for it to finish');
  private readonly keep: number;
  private readonly modelsDir: string;

  constructor(
    private readonly db: Db,
    private readonly recommender: Recommender | null,
    private readonly options: ModelRunsOptions = {},
  ) {
    this.keep = options.keep ?? 50;
    this.modelsDir = options.modelsDir ?? process.env.LENSLAB_MODELS_DIR ?? DEFAULT_MODELS_DIR;
  }

  /** Newest first. */
  list(): ModelRun[] {
    return this.runs.map((run) => ({ ...run, metrics: { ...run.metrics } }));
  }

  get(id: number): ModelRun | null {
    const run = this.runs.find((candidate) => candidate.id === id);
    return run ? { ...run, metrics: { ...run.metrics } } : null;
  }

  get busy(): boolean {
    return this.slot.busy;
  }

  /** Resolves when the running job (if any) has finished. */
  idle(): Promise<void> {
    return this.slot.idle();
  }

  /** Starts a job in the background; throws a `conflict` ServiceError while another one runs. */
  start(request: RunRequest, startedBy: number | null = null): ModelRun {
    this.slot.checkFree();
    if (!(RUN_KINDS as readonly string[]).includes(request.kind)) {
      throw invalid(`kind: must be one of ${RUN_KINDS.join(', ')}`);
    }
    if (!ALGORITHM_NAMES.includes(request.algorithm)) {
      throw invalid(
        `algorithm: unknown algorithm "${request.algorithm}" (known: ${ALGORITHM_NAMES.join(', ')})`,
      );
    }
    if (request.protocol !== undefined && !RUN_PROTOCOLS.includes(request.protocol)) {
      throw invalid(`protocol: must be one of ${RUN_PROTOCOLS.join(', ')}`);
    }
    const definition = getAlgorithm(request.algorithm);
    const protocol =
      request.kind === 'evaluate'
        ? (request.protocol ?? (definition.kind === 'rating' ? 'split90' : 'holdout20'))
        : definition.kind === 'rating'
          ? 'split90'
          : 'holdout20';
    if (protocol !== 'holdout20' && protocol !== 'temporal-last5' && definition.kind !== 'rating') {
      throw invalid(
        `protocol: ${request.algorithm} ranks items without predicting ratings; use holdout20 or temporal-last5`,
      );
    }
    const run: ModelRun = {
      id: this.nextId++,
      kind: request.kind,
      algorithm: request.algorithm,
      protocol,
      seed: request.seed ?? 1,
      publish: request.kind === 'train' && request.publish === true,
      status: 'running',
      progress: 0,
      phase: 'queued',
      startedAt: new Date().toISOString(),
      finishedAt: null,
      metrics: {},
      fitSeconds: null,
      predictSeconds: null,
      ratings: null,
      modelVersion: null,
      error: null,
      startedBy,
    };
    this.runs.unshift(run);
    if (this.runs.length > this.keep) this.runs.length = this.keep;
    const params = request.params ?? {};
    this.slot.run(run, () => this.execute(run, params));
    return { ...run };
  }

  /** Stops a running job (its thread ends); false when the run is not running. */
  cancel(id: number): Promise<boolean> {
    return this.slot.cancel(this.runs.find((candidate) => candidate.id === id));
  }

  /** Server shutdown: cancels the running job and waits for it to end. */
  close(): Promise<void> {
    return this.slot.close(this.runs);
  }

  private async execute(run: ModelRun, params: Params): Promise<void> {
    run.phase = 'loading the ratings';
    const dataset = await loadDataset(this.db);
    run.ratings = dataset.ratings.length;
    if (dataset.ratings.length === 0) throw new Error('there are no ratings in the database');
    if (run.status !== 'running') return;
    const input: ModelRunInput = {
      kind: run.kind,
      algorithm: run.algorithm,
      protocol: run.protocol!,
      seed: run.seed,
      params,
      publish: run.publish,
      modelsDir: this.modelsDir,
      origin: await databaseOrigin(this.db),
      startedAt: run.startedAt,
      dataset: toWireDataset({ ...dataset, movies: [], users: [] }),
    };
    const output = await this.slot.onWorker<ModelRunOutput>(
      run,
      new URL(import.meta.url),
      'modelRunTask',
      input,
    );
    if (run.status !== 'running') {
      // Cancelled just as it finished: nothing of it is kept.
      if (output.modelPath) rmSync(output.modelPath, { force: true });
      return;
    }
    run.metrics = output.metrics;
    run.fitSeconds = output.fitSeconds;
    run.predictSeconds = output.predictSeconds;
    if (output.modelPath) {
      const version = basename(output.modelPath, MODEL_EXTENSION);
      if (this.options.node !== undefined)
        await storeModel(this.db, output.modelPath, this.options.node);
      this.recommender?.use(readModelFile(output.modelPath), {
        algorithm: run.algorithm,
        version,
      });
      run.modelVersion = version;
      this.options.log?.(`console: published ${output.modelPath}`);
    }
    run.progress = 1;
    run.phase = 'done';
    run.status = 'done';
  }
}

// ---- the worker side -------------------------------------------------------------------------

interface ModelRunInput {
  kind: RunKind;
  algorithm: string;
  protocol: string;
  seed: number;
  params: Params;
  publish: boolean;
  modelsDir: string;
  /** The database the ratings come from, recorded in a published model. */
  origin: ModelOrigin;
  startedAt: string;
  dataset: WireDataset;
}

interface ModelRunOutput {
  metrics: Record<string, number>;
  fitSeconds: number;
  predictSeconds: number;
  /** train with publish: the published model file. */
  modelPath: string | null;
}

/** Runs on a worker thread (BackgroundJob): the folds, then for `train` the final fit. */
export function modelRunTask(input: ModelRunInput, report: JobReporter): ModelRunOutput {
  const dataset = fromWireDataset(input.dataset);
  const kind = getAlgorithm(input.algorithm).kind === 'rating' ? 'rating' : 'ranking';
  const folds = protocolFolds(input.protocol, dataset.ratings, undefined);
  const steps = folds.length + (input.kind === 'train' ? 1 : 0);
  const results: FoldResult[] = [];
  for (let i = 0; i < folds.length; i++) {
    report(i / steps, `${input.protocol}: fold ${i + 1} of ${folds.length}`);
    results.push(
      ...evaluateAlgorithm(input.algorithm, input.params, [folds[i]], kind, {
        seed: input.seed,
        scale: dataset.scale,
      }),
    );
  }
  const summary = summarize(input.algorithm, input.params, results);
  const output: ModelRunOutput = {
    metrics: summary.metrics,
    fitSeconds: summary.fitSeconds,
    predictSeconds: summary.predictSeconds,
    modelPath: null,
  };
  if (input.kind !== 'train') return output;
  const phase = `fitting ${input.algorithm} on all ${dataset.ratings.length} ratings`;
  report(folds.length / steps, phase);
  const started = performance.now();
  const model = fitAlgorithm(input.algorithm, dataset.ratings, input.params, {
    seed: input.seed,
    scale: dataset.scale,
    onProgress: (fraction) => report((folds.length + fraction) / steps, phase),
  });
  output.fitSeconds = (performance.now() - started) / 1000;
  if (input.publish) {
    output.modelPath = publishModel(
      model,
      {
        ...input.origin,
        snapshotTime: input.startedAt,
        trainedAt: new Date().toISOString(),
        ratings: dataset.ratings.length,
        users: dataset.ratings.userIds.size,
        items: dataset.ratings.itemIds.size,
        seed: input.seed,
        metrics: summary.metrics,
        metricsProtocol: input.protocol,
      },
      input.modelsDir,
    );
  }
  return output;
}

/**
 * Runs on a worker thread: fits `algorithm` on the dataset (from the database `origin`) and
 * publishes it into `modelsDir` (the recommender experiment's variant models, see
 * src/http/recommenderVariants.ts).
 */
export function fitModelTask(input: {
  algorithm: string;
  seed: number;
  modelsDir: string;
  origin: ModelOrigin;
  dataset: WireDataset;
}): string {
  const dataset = fromWireDataset(input.dataset);
  const snapshotTime = new Date().toISOString();
  const model = fitAlgorithm(
    input.algorithm,
    dataset.ratings,
    {},
    {
      seed: input.seed,
      scale: dataset.scale,
    },
  );
  return publishModel(
    model,
    {
      ...input.origin,
      snapshotTime,
      trainedAt: new Date().toISOString(),
      ratings: dataset.ratings.length,
      users: dataset.ratings.userIds.size,
      items: dataset.ratings.itemIds.size,
      seed: input.seed,
      metrics: {},
      metricsProtocol: null,
    },
    input.modelsDir,
  );
}
