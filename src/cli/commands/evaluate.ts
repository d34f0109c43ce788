/**
 * `lenslab evaluate`: runs algorithms through a protocol of BENCHMARKS.md on a dataset folder and
 * prints a table (mean ± sd across folds, total fit and predict seconds), or JSON with --json.
 */
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import type { Ratings } from '../../datasets/dataset.ts';
import { readMl100kSplit } from '../../datasets/ml100k.ts';
import { readDataset } from '../../datasets/read.ts';
import {
  ALGORITHMS,
  ALGORITHM_NAMES,
  getAlgorithm,
  ParameterError,
  resolveParams,
  type Params,
} from '../../recsys/index.ts';
import {
  evaluateAlgorithm,
  RANKING_METRICS,
  summarize,
  type Summary,
} from '../../recsys/eval/evaluate.ts';
import { PROTOCOLS, protocolFolds, protocolInfo, type Fold } from '../../recsys/eval/protocols.ts';
import { UsageError, action, progress } from '../output.ts';

const FORMATS = ['ml-100k', 'ml-1m', 'ml-latest'];

interface EvaluateOptions {
  data: string;
  format: string;
  protocol: string;
  algo: string;
  param: string[];
  seed?: string;
  threads?: string;
  json?: boolean;
  out?: string;
  perUser?: boolean;
}

/**
 * Splits `--param` values among algorithms: "k=v" goes to every chosen algorithm that has k;
 * "algo.k=v" to that one. A name no chosen algorithm knows is an error.
 */
export function parametersFor(
  algorithms: readonly string[],
  assignments: readonly string[],
): Map<string, Params> {
  const result = new Map<string, Params>(algorithms.map((a) => [a, {}]));
  for (const assignment of assignments) {
    const match = /^(?:([a-z-]+)\.)?([A-Za-z]+)=(.+)$/.exec(assignment);
    if (!match)
      throw new UsageError(`--param "${assignment}" must look like name=value or algo.name=value`);
    const [, target, name, value] = match;
    if (target && !algorithms.includes(target)) {
      throw new UsageError(
        `--param ${assignment}: algorithm "${target}" is not among --algo ${algorithms.join(',')}`,
      );
    }
    const receivers = (target ? [target] : algorithms).filter((a) => name in ALGORITHMS[a].params);
    if (receivers.length === 0) {
      const known = (target ? [target] : algorithms).map(
        (a) => `${a}: ${Object.keys(ALGORITHMS[a].params).join(', ') || 'none'}`,
      );
      throw new UsageError(`unknown parameter "${name}" (${known.join('; ')})`);
    }
    for (const a of receivers) (result.get(a) as Params)[name] = value;
  }
  // Validate values now, before any data is read.
  for (const [a, params] of result) {
    try {
      result.set(a, resolveParams(getAlgorithm(a), params));
    } catch (error) {
      if (error instanceof ParameterError) throw new UsageError(error.message);
      throw error;
    }
  }
  return result;
}

/** Checks algorithm names; returns them in the given order. */
export function parseAlgorithms(list: string): string[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) throw new UsageError('--algo needs at least one algorithm');
  for (const name of names) {
    if (!ALGORITHMS[name])
      throw new UsageError(`unknown algorithm "${name}" (known: ${ALGORITHM_NAMES.join(', ')})`);
  }
  return names;
}

function protocolNames(): string {
  return `${PROTOCOLS.map((p) => p.name).join(', ')} (or temporal-lastN, givenN)`;
}

const RATING_COLUMNS = ['rmse', 'mae'];
const RANKING_COLUMNS = [
  'recall@20',
  'ndcg@10',
  'ndcg@100',
  'map',
  'mrr',
  'coverage@20',
  'novelty@20',
];

/** The human table: one row per algorithm, metric columns as mean ± sd. */
export function formatTable(summaries: readonly Summary[]): string {
  const metricNames = [...RATING_COLUMNS, ...RANKING_COLUMNS].filter((m) =>
    summaries.some((s) => s.metrics[m] !== undefined),
  );
  const header = ['algo', ...metricNames, 'fit s', 'predict s'];
  const rows = summaries.map((s) => [
    s.algo,
    ...metricNames.map((m) =>
      s.metrics[m] === undefined
        ? '—'
        : s.folds > 1
          ? `${s.metrics[m].toFixed(4)} ± ${s.sd[m].toFixed(4)}`
          : s.metrics[m].toFixed(4),
    ),
    s.fitSeconds.toFixed(2),
    s.predictSeconds.toFixed(2),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

/** One JSON object per algorithm: algo, params, each metric by lower-case name, sd, seconds. */
export function summaryJson(
  summary: Summary,
  protocol: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    algo: summary.algo,
    protocol,
    folds: summary.folds,
    ...summary.metrics,
    fitSeconds: summary.fitSeconds,
    predictSeconds: summary.predictSeconds,
    sd: summary.sd,
    params: summary.params,
    ...extra,
  };
}

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .requiredOption('--data <path>', 'dataset folder')
    .requiredOption('--format <format>', `one of ${FORMATS.join(', ')}`)
    .requiredOption('--protocol <name>', protocolNames())
    .requiredOption('--algo <names>', `comma-separated: ${ALGORITHM_NAMES.join(', ')}`)
    .option(
      '--param <name=value>',
      'hyper-parameter, repeatable; algo.name=value for one algorithm',
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option('--seed <n>', 'seed of the split and of the models (default: the protocol’s)')
    .option('--threads <n>', 'threads for parallel algorithms (default: cores, max 4)')
    .option('--per-user', 'include per-user metrics in the JSON')
    .option('--out <file>', 'also write the JSON to this file')
    .option('--json', 'print JSON (one object per algorithm), no table or progress')
    .action(
      action(async (options: EvaluateOptions) => {
        // Everything a user can get wrong is checked before reading data.
        if (!FORMATS.includes(options.format)) {
          throw new UsageError(
            `unknown format "${options.format}" (expected one of ${FORMATS.join(', ')})`,
          );
        }
        const info = protocolInfo(options.protocol);
        if (!info)
          throw new UsageError(
            `unknown protocol "${options.protocol}" (known: ${protocolNames()})`,
          );
        if (info.name.startsWith('ml100k-') && options.format !== 'ml-100k') {
          throw new UsageError(`protocol ${info.name} needs --format ml-100k`);
        }
        const algorithms = parseAlgorithms(options.algo);
        if (info.kind === 'rating') {
          for (const a of algorithms) {
            if (ALGORITHMS[a].kind === 'ranking') {
              throw new UsageError(
                `${a} ranks items and predicts no ratings; evaluate it with --protocol holdout20 or temporal-last5`,
              );
            }
          }
        }
        const params = parametersFor(algorithms, options.param);
        const seed = options.seed === undefined ? undefined : parseInteger('--seed', options.seed);
        const threads =
          options.threads === undefined ? undefined : parseInteger('--threads', options.threads, 1);

        const dataset = await readDataset(options.data, options.format);
        let folds: Fold[];
        if (info.name.startsWith('ml100k-')) {
          const split = await readMl100kSplit(options.data, info.name.slice('ml100k-'.length));
          folds = [{ name: info.name, train: split.train, test: split.test }];
        } else {
          folds = protocolFolds(info.name, dataset.ratings as Ratings, seed);
        }
        const bar = progress('evaluate', options.json);
        const summaries: Summary[] = [];
        const total = algorithms.length * folds.length;
        try {
          algorithms.forEach((algorithm, a) => {
            const results = evaluateAlgorithm(
              algorithm,
              params.get(algorithm) as Params,
              folds,
              info.kind,
              {
                seed: seed ?? 0,
                scale: dataset.scale,
                threads,
                perUser: options.perUser,
                onFold: (_fold, index) => bar.update(a * folds.length + index, total),
              },
            );
            const summary = summarize(algorithm, params.get(algorithm) as Params, results);
            if (options.perUser) (summary as Summary & { perFold?: unknown }).perFold = results;
            summaries.push(summary);
          });
          bar.update(total, total);
        } finally {
          bar.stop();
        }
        const json = summaries.map((s) =>
          summaryJson(s, info.name, {
            seed: seed ?? info.defaultSeed,
            ...(options.perUser ? { perFold: (s as Summary & { perFold?: unknown }).perFold } : {}),
          }),
        );
        if (options.out) writeFileSync(options.out, `${JSON.stringify(json, null, 2)}\n`);
        if (options.json) {
          process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
        } else {
          const ratingCount = dataset.ratings.length;
          process.stdout.write(
            `${info.name} on ${options.data} (${options.format}, ${ratingCount} ratings, ${folds.length} fold${folds.length > 1 ? 's' : ''}, seed ${seed ?? info.defaultSeed})\n${formatTable(summaries)}\n`,
          );
        }
      }),
    );
}

function parseInteger(name: string, value: string, minimum = 0): number {
  if (!/^\d+$/.test(value) || Number(value) < minimum)
    throw new UsageError(`${name} must be a whole number ≥ ${minimum}, got "${value}"`);
  return Number(value);
}

export { RANKING_METRICS };
