// npm run bench:import — generate synthetic-1m, then time parse + import into SQLite and PostgreSQL.
// Reports the median of several runs (each in a fresh process and a fresh database).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { writeMl1m } from '../src/datasets/ml1m.ts';
import { generateSynthetic } from '../src/datasets/synthetic.ts';

const RUNS = Number(process.env.RUNS ?? 5);
const OUT = 'bench/out';
const SYNTHETIC = join(OUT, 'synthetic-1m');
const PG_URL = process.env.LENSLAB_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

mkdirSync(OUT, { recursive: true });
if (!existsSync(join(SYNTHETIC, 'ratings.dat'))) {
  const started = performance.now();
  writeMl1m(generateSynthetic({ users: 6040, movies: 3900, ratings: 1000209, seed: 1 }), SYNTHETIC);
  console.log(`generated synthetic-1m in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

interface Trial {
  parseSeconds: number;
  importSeconds: number;
  totalSeconds: number;
  peakRssMB: number;
}

function trial(target: string): Trial {
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', 'bench/importTrial.ts', target, SYNTHETIC],
    { encoding: 'utf8' },
  );
  return JSON.parse(output.trim().split('\n').pop()!);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const targets: Array<[string, () => string]> = [
  [
    'SQLite',
    () => {
      const file = join(OUT, 'import-bench.db');
      for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
      return file;
    },
  ],
  ['PostgreSQL', () => `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=bench_import`],
];

console.log(
  `machine: ${cpus().length} × ${cpus()[0].model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; ${RUNS} runs each`,
);
console.log('| database | parse s | import s | total s | peak RSS MB |');
console.log('|---|---|---|---|---|');
for (const [name, fresh] of targets) {
  let trials: Trial[];
  try {
    trials = Array.from({ length: RUNS }, () => trial(fresh()));
  } catch (error) {
    console.log(`| ${name} | skipped: ${(error as Error).message.split('\n')[0]} | | | |`);
    continue;
  }
  const m = (key: keyof Trial) => median(trials.map((t) => t[key]));
  console.log(
    `| ${name} | ${m('parseSeconds').toFixed(2)} | ${m('importSeconds').toFixed(2)} | ${m('totalSeconds').toFixed(2)} | ${m('peakRssMB').toFixed(0)} |`,
  );
}
