/**
 * `lenslab train`: fits an algorithm on the database (or a dataset folder), measures it on a
 * held-out split first (split90 RMSE/MAE for rating predictors, holdout20 Recall@20/nDCG@10 for
 * rankers; --no-metrics skips that), then fits on everything and publishes the model: a file
 * (data/models/<algo>-<timestamp>.lensmodel by default) and, when trained on the database, a row
 * of it that every app node loads within a second (modelStore.ts). The model records the id of
 * the database it was trained on; only servers of that database load it, and never a model
 * trained from dataset files.
 */
import type { Command } from 'commander';
import type { Dataset } from '../../datasets/dataset.ts';
import { readDataset } from '../../datasets/read.ts';
import {
  DEFAULT_ALGORITHM,
  fitAlgorithmOnWorkers,
  getAlgorithm,
  type Params,
} from '../../recsys/index.ts';
import { evaluateAlgorithm, summarize } from '../../recsys/eval/evaluate.ts';
import { protocolFolds } from '../../recsys/eval/protocols.ts';
import { loadDataset } from '../../services/datasetLoading.ts';
import {
  databaseOrigin,
  DEFAULT_MODELS_DIR,
  publishModel,
  type ModelOrigin,
} from '../../services/models.ts';
import { storeModel } from '../../services/modelStore.ts';
import { withDatabase } from '../database.ts';
import { UsageError, action, progress, report } from '../output.ts';
import { parametersFor, parseAlgorithms } from './evaluate.ts';

interface TrainOptions {
  algo: string;
  param: string[];
  seed: string;
  threads?: string;
  out: string;
  data?: string;
  format?: string;
  metrics: boolean;
  json?: boolean;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .option('--algo <name>', 'algorithm to train', DEFAULT_ALGORITHM)
    .option(
      '--param <name=value>',
      'hyper-parameter, repeatable',
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option('--seed <n>', 'random seed', '1')
    .option('--threads <n>', 'threads for parallel algorithms (default: cores, max 4)')
    .option('--out <dir>', 'folder to publish the model into', DEFAULT_MODELS_DIR)
    .option('--data <path>', 'train on a dataset folder instead of the database (needs --format)')
    .option('--format <format>', 'format of --data: ml-100k, ml-1m, ml-latest, netflix')
    .option('--no-metrics', 'skip measuring on a held-out split before the final fit')
    .option('--json', 'print a JSON summary, no progress bar')
    .action(
      action(async (options: TrainOptions, command: Command) => {
        const [algorithm] = parseAlgorithms(options.algo);
        if (options.algo.includes(','))
          throw new UsageError('--algo takes one algorithm for train');
        const params = parametersFor([algorithm], options.param).get(algorithm) as Params;
        if (!/^\d+$/.test(options.seed))
          throw new UsageError(`--seed must be a whole number, got "${options.seed}"`);
        const seed = Number(options.seed);
        let threads: number | undefined;
        if (options.threads !== undefined) {
          if (!/^[1-9]\d*$/.test(options.threads))
            throw new UsageError(`--threads must be a whole number ≥ 1, got "${options.threads}"`);
          threads = Number(options.threads);
        }
        if ((options.data === undefined) !== (options.format === undefined)) {
          throw new UsageError('--data and --format go together');
        }
        const snapshot = new Date();
        const { dataset, origin }: { dataset: Dataset; origin: ModelOrigin } = options.data
          ? {
              dataset: await readDataset(options.data, options.format as string),
              origin: {
                databaseId: null,
                source: `${options.format} files ${options.data}`,
              },
            }
          : await withDatabase(command, async (db) => ({
              dataset: await loadDataset(db),
              origin: await databaseOrigin(db),
            }));
        if (dataset.ratings.length === 0)
          throw new UsageError('there are no ratings to train on (import a dataset first)');

        const definition = getAlgorithm(algorithm);
        const bar = progress(`train ${algorithm}`, options.json);
        let metrics: Record<string, number> = {};
        let metricsProtocol: string | null = null;
        const started = performance.now();
        try {
          if (options.metrics) {
            metricsProtocol = definition.kind === 'rating' ? 'split90' : 'holdout20';
            const folds = protocolFolds(metricsProtocol, dataset.ratings);
            const kind = definition.kind === 'rating' ? 'rating' : 'ranking';
            const summary = summarize(
              algorithm,
              params,
              evaluateAlgorithm(algorithm, params, folds, kind, {
                seed,
                scale: dataset.scale,
                threads,
              }),
            );
            metrics = Object.fromEntries(
              Object.entries(summary.metrics).filter(([name]) => name !== 'users'),
            );
            bar.update(1, 3);
          }
          // The fit runs its parts on worker threads where it can (a blend's members).
          const model = await fitAlgorithmOnWorkers(algorithm, dataset.ratings, params, {
            seed,
            scale: dataset.scale,
            threads,
            onProgress: (fraction) => bar.update(1 + fraction, 3),
          });
          const trainSeconds = (performance.now() - started) / 1000;
          const path = publishModel(
            model,
            {
              ...origin,
              snapshotTime: snapshot.toISOString(),
              trainedAt: new Date().toISOString(),
              ratings: dataset.ratings.length,
              users: dataset.ratings.userIds.size,
              items: dataset.ratings.itemIds.size,
              seed,
              metrics,
              metricsProtocol,
            },
            options.out,
          );
          // Every app node of the database loads it from there, on any machine.
          if (origin.databaseId !== null)
            await withDatabase(command, (db) => storeModel(db, path, `train-${process.pid}`));
          bar.update(3, 3);
          bar.stop();
          const shown = Object.entries(metrics)
            .map(([name, value]) => `${name} ${value.toFixed(4)}`)
            .join(', ');
          report(
            !!options.json,
            {
              algo: algorithm,
              params: model.params,
              path,
              ...origin,
              seconds: trainSeconds,
              metrics,
              metricsProtocol,
              ratings: dataset.ratings.length,
            },
            `trained ${algorithm} on ${dataset.ratings.length} ratings in ${trainSeconds.toFixed(1)} s${shown ? ` (${metricsProtocol}: ${shown})` : ''}\npublished ${path}\n${belongsTo(origin)}`,
          );
        } finally {
          bar.stop();
        }
      }),
    );
}

/** Which servers will load the model. */
function belongsTo(origin: ModelOrigin): string {
  return origin.databaseId === null
    ? `trained from ${origin.source}: no database, so no server loads it`
    : `belongs to ${origin.source} (id ${origin.databaseId}): only servers of that database load it`;
}
