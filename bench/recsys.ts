/**
 * The recommender benchmark (npm run bench:recsys). Prints markdown tables and writes
 * bench/out/recsys.json.
 *
 *   node --import tsx bench/recsys.ts [--runs N] [--sections ml100k,topn,synthetic,tune]
 *                                     [--algos label,…  (synthetic runs to do, default all)]
 *
 * ml100k     kfold5 on ML-100K for every rating predictor: RMSE, MAE (mean ± sd over folds),
 *            fit and predict seconds (totals over the 5 folds; median of N runs)
 * topn       holdout20 on ML-100K for the top-N models: Recall@20, nDCG@10, nDCG@100, coverage@20
 * synthetic  synthetic-1m (generateSynthetic 6040 × 3900 × 1,000,209, seed 1): per algorithm in a
 *            fresh process, fit seconds, peak RSS, predictions/s, ms per top-20 list and per
 *            fold-in of a member with 20 ratings (medians of N runs)
 * tune       the search helper on validation data carved from training data only (ML-100K
 *            kfold5 fold 1's training ratings; holdout20's training ratings for EASE^R's λ)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { IdIndex, type Ratings } from '../src/datasets/dataset.ts';
import { readMl100k } from '../src/datasets/ml100k.ts';
import { generateSynthetic } from '../src/datasets/synthetic.ts';
import {
  evaluateAlgorithm,
  fitAlgorithm,
  kFold,
  perUserHoldout,
  protocolFolds,
  RatingMatrix,
  searchParams,
  summarize,
  type Params,
} from '../src/recsys/index.ts';

const OUT = new URL('./out/', import.meta.url).pathname;
const ML100K = new URL('../../shared/data/ml-100k', import.meta.url).pathname;
const SYNTHETIC_FILE = join(OUT, 'synthetic-1m.bin');
const RATING_ALGORITHMS = ['bias', 'item-knn', 'user-knn', 'svd', 'svdpp', 'als', 'blend'];
const TOPN_ALGORITHMS = ['popular', 'ease', 'ials', 'item-knn', 'svd'];
/** Runs on synthetic-1m: [label, algorithm, parameters] (the settings the issue names for its floors). */
const SYNTHETIC_RUNS: Array<[string, string, Params]> = [
  ['bias', 'bias', {}],
  ['item-knn', 'item-knn', {}],
  ['user-knn', 'user-knn', {}],
  ['svd', 'svd', { factors: 100, epochs: 20 }],
  ['svdpp', 'svdpp', {}],
  ['als', 'als', { factors: 64, iterations: 15 }],
  ['als (cholesky)', 'als', { factors: 64, iterations: 15, solver: 'cholesky' }],
  ['ials', 'ials', { factors: 64, iterations: 15 }],
  ['ease', 'ease', {}],
  ['popular', 'popular', {}],
  ['blend', 'blend', {}],
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 && index + 1 < process.argv.length ? process.argv[index + 1] : fallback;
}

const fixed = (value: number, digits = 3): string =>
  Number.isFinite(value) ? value.toFixed(digits) : '—';

function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

// ---- synthetic-1m in a file, so each child process loads it quickly ----------------------

function writeSynthetic(): void {
  if (existsSync(SYNTHETIC_FILE)) return;
  const dataset = generateSynthetic({ users: 6040, movies: 3900, ratings: 1000209, seed: 1 });
  const r = dataset.ratings;
  const header = Int32Array.of(r.length, r.userIds.size, r.itemIds.size);
  const parts = [header, r.userIds.ids, r.itemIds.ids, r.userIndex, r.itemIndex, r.rating];
  writeFileSync(
    SYNTHETIC_FILE,
    Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))),
  );
}

function readSynthetic(): Ratings {
  const bytes = readFileSync(SYNTHETIC_FILE);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const [length, users, items] = new Int32Array(buffer, 0, 3);
  let offset = 12;
  const take = <T>(
    make: (b: ArrayBuffer, o: number, n: number) => T,
    n: number,
    size: number,
  ): T => {
    const value = make(buffer, offset, n);
    offset += n * size;
    return value;
  };
  const userIds = take((b, o, n) => new Int32Array(b, o, n), users, 4);
  const itemIds = take((b, o, n) => new Int32Array(b, o, n), items, 4);
  const userIndex = take((b, o, n) => new Int32Array(b, o, n), length, 4);
  const itemIndex = take((b, o, n) => new Int32Array(b, o, n), length, 4);
  const rating = take((b, o, n) => new Float32Array(b, o, n), length, 4);
  return {
    length,
    userIndex,
    itemIndex,
    rating,
    timestamp: new Uint32Array(length),
    userIds: new IdIndex(userIds),
    itemIds: new IdIndex(itemIds),
  };
}

/** Child process: fit one algorithm on synthetic-1m and measure it. Prints one JSON line. */
function syntheticChild(label: string): void {
  const [, algorithm, params] = SYNTHETIC_RUNS.find((run) => run[0] === label) ?? [
    label,
    label,
    {},
  ];
  const ratings = readSynthetic();
  const matrix = RatingMatrix.fromRatings(ratings, { min: 1, max: 5, step: 1 });
  const fitStart = performance.now();
  const cpuStart = process.cpuUsage();
  const model = fitAlgorithm(algorithm, matrix, params, { seed: 1 });
  const fitSeconds = (performance.now() - fitStart) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const fitCpuSeconds = (cpu.user + cpu.system) / 1e6;
  const peakMegabytes = process.resourceUsage().maxRSS / 1024;
  const pairs = 200_000;
  const users = new Int32Array(pairs);
  const items = new Int32Array(pairs);
  for (let k = 0; k < pairs; k++) {
    users[k] = ratings.userIndex[(k * 5) % ratings.length];
    items[k] = (k * 7919) % matrix.items;
  }
  const predictStart = performance.now();
  model.predictMany(users, items);
  const predictionsPerSecond = pairs / ((performance.now() - predictStart) / 1000);
  const listTimes: number[] = [];
  for (let u = 0; u < 300; u++) {
    const start = performance.now();
    model.recommend((u * 17) % matrix.users, 20);
    listTimes.push(performance.now() - start);
  }
  const foldTimes: number[] = [];
  for (let u = 0; u < 200; u++) {
    const view = model.view((u * 29) % matrix.users);
    const member = Array.from(view.items.subarray(0, 20), (itemIndex, t) => ({
      itemIndex,
      rating: view.ratings[t],
    }));
    const start = performance.now();
    const folded = model.foldIn(member);
    foldTimes.push(performance.now() - start);
    if (u === 0) model.recommend(folded, 20);
  }
  process.stdout.write(
    `${JSON.stringify({ algorithm: label, fitSeconds, fitCpuSeconds, peakMegabytes, predictionsPerSecond, listMs: median(listTimes), foldInMs: median(foldTimes) })}\n`,
  );
}

// ---- sections -----------------------------------------------------------------------------

async function ml100kRating(runs: number): Promise<Record<string, unknown>[]> {
  const dataset = await readMl100k(ML100K);
  const folds = protocolFolds('kfold5', dataset.ratings);
  const rows: Record<string, unknown>[] = [];
  for (const algorithm of RATING_ALGORITHMS) {
    const summaries = Array.from({ length: runs }, () =>
      summarize(
        algorithm,
        {},
        evaluateAlgorithm(algorithm, {}, folds, 'rating', { seed: 0, scale: dataset.scale }),
      ),
    );
    const s = summaries[0];
    rows.push({
      algo: algorithm,
      rmse: s.metrics.rmse,
      rmseSd: s.sd.rmse,
      mae: s.metrics.mae,
      maeSd: s.sd.mae,
      fitSeconds: median(summaries.map((x) => x.fitSeconds)),
      predictSeconds: median(summaries.map((x) => x.predictSeconds)),
    });
    process.stderr.write(`ml100k kfold5 ${algorithm}: rmse ${fixed(s.metrics.rmse, 4)}\n`);
  }
  console.log('\n### ML-100K, kfold5 (rating prediction, default parameters)\n');
  console.log(
    table(
      ['algorithm', 'RMSE', 'MAE', 'fit s (5 folds)', 'predict s (5 folds)'],
      rows.map((r) => [
        String(r.algo),
        `${fixed(r.rmse as number, 4)} ± ${fixed(r.rmseSd as number, 4)}`,
        `${fixed(r.mae as number, 4)} ± ${fixed(r.maeSd as number, 4)}`,
        fixed(r.fitSeconds as number, 2),
        fixed(r.predictSeconds as number, 2),
      ]),
    ),
  );
  return rows;
}

async function ml100kTopN(runs: number): Promise<Record<string, unknown>[]> {
  const dataset = await readMl100k(ML100K);
  const folds = protocolFolds('holdout20', dataset.ratings);
  const rows: Record<string, unknown>[] = [];
  for (const algorithm of TOPN_ALGORITHMS) {
    const results = Array.from(
      { length: runs },
      () =>
        evaluateAlgorithm(algorithm, {}, folds, 'ranking', { seed: 0, scale: dataset.scale })[0],
    );
    const m = results[0].metrics;
    rows.push({
      algo: algorithm,
      'recall@20': m['recall@20'],
      'ndcg@10': m['ndcg@10'],
      'ndcg@100': m['ndcg@100'],
      'coverage@20': m['coverage@20'],
      fitSeconds: median(results.map((r) => r.fitSeconds)),
    });
    process.stderr.write(`ml100k holdout20 ${algorithm}: recall@20 ${fixed(m['recall@20'], 4)}\n`);
  }
  console.log('\n### ML-100K, holdout20 (top-N, default parameters)\n');
  console.log(
    table(
      ['algorithm', 'Recall@20', 'nDCG@10', 'nDCG@100', 'coverage@20', 'fit s'],
      rows.map((r) => [
        String(r.algo),
        fixed(r['recall@20'] as number),
        fixed(r['ndcg@10'] as number),
        fixed(r['ndcg@100'] as number),
        fixed(r['coverage@20'] as number),
        fixed(r.fitSeconds as number, 2),
      ]),
    ),
  );
  return rows;
}

function synthetic(runs: number, only: string[] | null): Record<string, unknown>[] {
  mkdirSync(OUT, { recursive: true });
  writeSynthetic();
  const rows: Record<string, unknown>[] = [];
  for (const [algorithm, , params] of SYNTHETIC_RUNS) {
    if (only && !only.includes(algorithm)) continue;
    const measurements: Array<Record<string, number>> = [];
    for (let run = 0; run < runs; run++) {
      const child = spawnSync(
        process.execPath,
        ['--import', 'tsx', new URL(import.meta.url).pathname, '--child', algorithm],
        {
          encoding: 'utf8',
          maxBuffer: 1 << 20,
        },
      );
      if (child.status !== 0) throw new Error(`synthetic ${algorithm}: ${child.stderr}`);
      measurements.push(JSON.parse(child.stdout.trim().split('\n').pop() as string));
    }
    const pick = (name: string): number => median(measurements.map((m) => m[name]));
    const row = {
      algo: algorithm,
      params,
      fitSeconds: pick('fitSeconds'),
      fitCpuSeconds: pick('fitCpuSeconds'),
      peakMegabytes: pick('peakMegabytes'),
      predictionsPerSecond: pick('predictionsPerSecond'),
      listMs: pick('listMs'),
      foldInMs: pick('foldInMs'),
      runs,
    };
    rows.push(row);
    process.stderr.write(`synthetic-1m ${algorithm}: fit ${fixed(row.fitSeconds, 2)} s\n`);
  }
  console.log(`\n### synthetic-1m (1,000,209 ratings; medians of ${runs} runs)\n`);
  console.log(
    table(
      [
        'algorithm',
        'settings',
        'fit s',
        'fit CPU s (all threads)',
        'peak RSS MB',
        'predictions/s',
        'ms per top-20',
        'ms per fold-in (20 ratings)',
      ],
      rows.map((r) => [
        String(r.algo),
        JSON.stringify(r.params).replace(/"/g, ''),
        fixed(r.fitSeconds as number, 2),
        fixed(r.fitCpuSeconds as number, 2),
        fixed(r.peakMegabytes as number, 0),
        Math.round(r.predictionsPerSecond as number).toLocaleString('en-US'),
        fixed(r.listMs as number, 2),
        fixed(r.foldInMs as number, 2),
      ]),
    ),
  );
  return rows;
}

/** Grids for the defaults, on validation data carved from training data only. */
async function tune(): Promise<Record<string, unknown>> {
  const dataset = await readMl100k(ML100K);
  const train = kFold(dataset.ratings, 5, 0)[0].train;
  const grids: Array<[string, Record<string, Array<number | string>>, string, Ratings]> = [
    ['item-knn', { neighbours: [20, 40, 60], shrinkage: [50, 100, 200] }, 'rmse', train],
    [
      'svd',
      { factors: [50, 100], learningRate: [0.005, 0.01], regularization: [0.02, 0.05, 0.1] },
      'rmse',
      train,
    ],
    [
      'ease',
      { lambda: [100, 250, 500, 1000, 2000] },
      'ndcg@10',
      perUserHoldout(dataset.ratings, 0.2, 42).train,
    ],
  ];
  const results: Record<string, unknown> = {};
  for (const [algorithm, space, metric, data] of grids) {
    const result = searchParams(data, { algorithm, space, metric, seed: 0, scale: dataset.scale });
    results[algorithm] = {
      metric,
      best: result.best,
      bestScore: result.bestScore,
      trials: result.trials.map((t) => ({ params: t.params, score: t.score })),
    };
    console.log(`\n### tuning ${algorithm} (${metric} on validation carved from training data)\n`);
    console.log(
      table(
        ['parameters', metric],
        result.trials.map((t) => [JSON.stringify(t.params).replace(/"/g, ''), fixed(t.score, 4)]),
      ),
    );
  }
  return results;
}

async function main(): Promise<void> {
  const child = process.argv.indexOf('--child');
  if (child >= 0) return syntheticChild(process.argv[child + 1]);
  const runs = Number(argument('--runs', '3'));
  const sections = argument('--sections', 'ml100k,topn,synthetic').split(',');
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memoryGB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
  console.log(
    `## lenslab recsys benchmark — ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGB} GB, Node ${machine.node}`,
  );
  const report: Record<string, unknown> = { machine, runs, date: new Date().toISOString() };
  const haveMl100k = existsSync(join(ML100K, 'u.data'));
  if (
    !haveMl100k &&
    (sections.includes('ml100k') || sections.includes('topn') || sections.includes('tune'))
  ) {
    console.log(`\n(ML-100K not found at ${ML100K}: its sections are skipped)`);
  }
  if (sections.includes('ml100k') && haveMl100k)
    report.ml100kKfold5 = await ml100kRating(Math.min(runs, 1));
  if (sections.includes('topn') && haveMl100k) report.ml100kHoldout20 = await ml100kTopN(1);
  const only = argument('--algos', '');
  if (sections.includes('synthetic'))
    report.synthetic1m = synthetic(runs, only ? only.split(',') : null);
  if (sections.includes('tune') && haveMl100k) report.tuning = await tune();
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'recsys.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n(wrote ${join(OUT, 'recsys.json')})`);
}

await main();
