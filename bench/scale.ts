// npm run bench:scale -- --ratings N [--db sqlite|postgres] [--steps generate,import,train,serve]
//
// The whole pipeline at one size, each step a child process measured on its own (issue #14):
//   generate  `lenslab generate` of a synthetic dataset of N ratings (the shape of the nearest of
//             synthetic-1m, -10m, -100m in BENCHMARKS.md, users scaled to N, seed 1)
//   import    `lenslab import` of it into a fresh database (SQLite file or PostgreSQL schema)
//   train     `lenslab train` of the site's two default models (rating and ranking), each a step
//   serve     the serve-mix server (bench/serveMix.ts) on that database and those models: time to
//             start, then serve-mix (50 connections, --duration s, after a 5 s warm-up)
// For each step: wall time, CPU time (user + system, all threads) and peak RSS, from GNU time for
// the CLI steps and from /proc for the server. Linux only (/usr/bin/time, /proc).
//
// Options: --ratings N (required), --db sqlite|postgres (default sqlite; PostgreSQL at
// LENSLAB_TEST_PG_URL, schema bench_scale), --steps (default all; later steps reuse what earlier
// runs left in --out), --out <dir> (default bench/out/scale-N), --duration s (default 30),
// --metrics (train with the held-out measurement before the final fit; off by default).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase } from '../src/db/connection.ts';
import { DEFAULT_ALGORITHM, DEFAULT_RANKING_ALGORITHM } from '../src/recsys/index.ts';
import {
  CONNECTIONS,
  loadRun,
  machineLine,
  registerMembers,
  startServer,
  stopServer,
  type PreparedMix,
} from './serveMix.ts';

const { values: args } = parseArgs({
  options: {
    ratings: { type: 'string' },
    db: { type: 'string', default: 'sqlite' },
    steps: { type: 'string', default: 'generate,import,train,serve' },
    out: { type: 'string' },
    duration: { type: 'string', default: '30' },
    metrics: { type: 'boolean', default: false },
  },
});
const STEPS = ['generate', 'import', 'train', 'serve'] as const;
type Step = (typeof STEPS)[number];

function usage(message: string): never {
  console.error(`bench:scale: ${message}`);
  console.error(
    'usage: npm run bench:scale -- --ratings N [--db sqlite|postgres] [--steps generate,import,train,serve] [--out dir] [--duration s] [--metrics]',
  );
  process.exit(2);
}

if (!args.ratings || !/^\d+$/.test(args.ratings) || Number(args.ratings) < 1000)
  usage('--ratings must be a whole number ≥ 1000');
if (args.db !== 'sqlite' && args.db !== 'postgres') usage('--db must be sqlite or postgres');
const steps = args.steps!.split(',') as Step[];
for (const step of steps) if (!STEPS.includes(step)) usage(`unknown step "${step}"`);
if (!/^\d+$/.test(args.duration!)) usage('--duration must be whole seconds');
if (!existsSync('/usr/bin/time')) usage('needs GNU time at /usr/bin/time (apt-get install time)');

const RATINGS = Number(args.ratings);
const OUT = resolve(args.out ?? join('bench/out', `scale-${RATINGS}`));
const DATA = join(OUT, 'data');
const MODELS = join(OUT, 'models');
const PG_URL = process.env.LENSLAB_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = 'bench_scale';
const TARGET =
  args.db === 'sqlite'
    ? join(OUT, 'scale.db')
    : `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${SCHEMA}`;
// The compiled CLI (built below), run directly: bin/lenslab would fall back to the TypeScript
// sources if one of them changed during a long run.
const LENSLAB = [process.execPath, resolve('dist/cli/main.js')];

/** The benchmark shapes (BENCHMARKS.md); a size between them takes the nearest one's. */
const SHAPES = [
  { ratings: 1000209, users: 6040, movies: 3900 },
  { ratings: 10000054, users: 71567, movies: 10681 },
  { ratings: 100480507, users: 480189, movies: 17770 },
];
const shape = SHAPES.reduce((best, s) =>
  Math.abs(Math.log(s.ratings / RATINGS)) < Math.abs(Math.log(best.ratings / RATINGS)) ? s : best,
);
// Users scale with the ratings (each keeps ~the shape's ratings per user, and ≥ 20); movies not.
const USERS = Math.max(
  1,
  Math.min(Math.floor(RATINGS / 20), Math.round((shape.users * RATINGS) / shape.ratings)),
);
const MOVIES = shape.movies;

interface Measured {
  step: string;
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMB: number;
  note: string;
  failed?: string;
}
const results: Measured[] = [];

/** Runs a lenslab command under GNU time; its JSON summary (or the failure) and its figures. */
async function measured(
  step: string,
  lenslabArgs: string[],
  note: (summary: Record<string, unknown>) => string,
): Promise<boolean> {
  const timeFile = join(OUT, `${step}.time`);
  const started = performance.now();
  const child = spawn(
    '/usr/bin/time',
    ['-f', '%U %S %M', '-o', timeFile, ...LENSLAB, '--db', TARGET, ...lenslabArgs, '--json'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  const wallSeconds = (performance.now() - started) / 1000;
  // GNU time writes "Command exited with non-zero status N" before its line when the command fails.
  const lastLine = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!;
  const [user, system, maxKB] = lastLine.split(' ').map(Number);
  const figures = { step, wallSeconds, cpuSeconds: user + system, peakRssMB: maxKB / 1024 };
  if (code !== 0) {
    results.push({ ...figures, note: '', failed: `exit code ${code}` });
    return false;
  }
  results.push({ ...figures, note: note(JSON.parse(stdout) as Record<string, unknown>) });
  return true;
}

async function freshDatabase(): Promise<void> {
  if (args.db === 'sqlite') {
    for (const suffix of ['', '-wal', '-shm']) rmSync(TARGET + suffix, { force: true });
    return;
  }
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await client.end();
  execFileSync(LENSLAB[0], [LENSLAB[1], '--db', TARGET, 'migrate'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const megabytes = (path: string) => statSync(path).size / 2 ** 20;
const perSecond = (count: number, seconds: number) =>
  `${Math.round(count / seconds).toLocaleString('en-US')}/s`;

async function generate(): Promise<boolean> {
  mkdirSync(DATA, { recursive: true });
  const args = ['--users', `${USERS}`, '--movies', `${MOVIES}`, '--ratings', `${RATINGS}`];
  return measured(
    'generate',
    ['generate', ...args, '--seed', '1', '--out', DATA, '--overwrite'],
    (s) =>
      `ratings.dat ${megabytes(join(DATA, 'ratings.dat')).toFixed(0)} MB, ${perSecond(RATINGS, Number(s.seconds))}`,
  );
}

async function importData(): Promise<boolean> {
  await freshDatabase();
  return measured('import', ['import', DATA, '--format', 'ml-1m'], (s) => {
    const seconds = s.seconds as { parse: number; total: number };
    return `parse ${seconds.parse.toFixed(1)} s, ${perSecond(Number(s.ratings), seconds.total)}`;
  });
}

async function train(): Promise<boolean> {
  rmSync(MODELS, { recursive: true, force: true });
  for (const algorithm of [DEFAULT_ALGORITHM, DEFAULT_RANKING_ALGORITHM]) {
    const options = [
      '--algo',
      algorithm,
      '--out',
      MODELS,
      ...(args.metrics ? [] : ['--no-metrics']),
    ];
    const ok = await measured(`train ${algorithm}`, ['train', ...options], () =>
      args.metrics ? 'with held-out metrics' : 'final fit only (--no-metrics)',
    );
    if (!ok) return false;
  }
  return true;
}

/** The serve-mix data for this database: members added to it, and the movies they use. */
async function prepareMix(): Promise<PreparedMix> {
  const db = await openDatabase(TARGET);
  try {
    const popular = await db.kysely
      .selectFrom('ratings')
      .select('movie_id')
      .groupBy('movie_id')
      .orderBy((eb) => eb.fn.countAll(), 'desc')
      .limit(1000)
      .execute();
    const movies = await db.kysely.selectFrom('movies').select('id').execute();
    const popularIds = popular.map((row) => row.movie_id);
    const started = performance.now();
    // New members on every run: the database keeps those of an earlier serve step.
    const members = await registerMembers(db, popularIds, `bench-${Date.now()}`);
    console.log(
      `${members.length} members registered for serve-mix in ${((performance.now() - started) / 1000).toFixed(1)} s (not counted)`,
    );
    return {
      dir: OUT,
      dbPath: TARGET,
      modelsDir: MODELS,
      members,
      movieIds: movies.map((row) => row.id),
      popular: popularIds,
      algorithm: `${DEFAULT_ALGORITHM}+${DEFAULT_RANKING_ALGORITHM}`,
    };
  } finally {
    await db.close();
  }
}

/** CPU seconds (user + system) and peak RSS (MB) of a live process, from /proc. */
function processFigures(pid: number): { cpuSeconds: number; peakRssMB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return {
    cpuSeconds: (Number(fields[11]) + Number(fields[12])) / ticks,
    peakRssMB: hwm ? Number(hwm[1]) / 1024 : NaN,
  };
}

async function serve(): Promise<boolean> {
  const data = await prepareMix();
  const duration = Number(args.duration);
  const started = performance.now();
  let server;
  try {
    server = await startServer(data.dbPath, data.modelsDir, { events: true });
  } catch (error) {
    results.push({
      step: 'serve start',
      wallSeconds: (performance.now() - started) / 1000,
      cpuSeconds: NaN,
      peakRssMB: NaN,
      note: '',
      failed: (error as Error).message,
    });
    return false;
  }
  const pid = server.child.pid!;
  results.push({
    step: 'serve start',
    wallSeconds: (performance.now() - started) / 1000,
    ...processFigures(pid),
    note: 'catalog and both models loaded, listening',
  });
  try {
    await loadRun(server, data, 5); // warm-up: JIT, every member's fold-in
    const before = processFigures(pid);
    const run = await loadRun(server, data, duration);
    const after = processFigures(pid);
    results.push({
      step: 'serve-mix',
      wallSeconds: duration,
      cpuSeconds: after.cpuSeconds - before.cpuSeconds,
      peakRssMB: after.peakRssMB,
      note: `${run.requestsPerSecond.toFixed(0)} req/s, p50 ${run.p50} ms, p99 ${run.p99} ms, ${run.errors} errors, ${run.timeouts} timeouts, ${CONNECTIONS} connections, load ${run.load.map((l) => l.toFixed(1)).join(' → ')}`,
    });
  } finally {
    await stopServer(server);
  }
  return true;
}

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], { stdio: 'inherit' });
mkdirSync(OUT, { recursive: true });
console.log(machineLine());
console.log(
  `scale: ${RATINGS.toLocaleString('en-US')} ratings, ${USERS.toLocaleString('en-US')} users, ${MOVIES.toLocaleString('en-US')} movies (seed 1) into ${args.db}; steps ${steps.join(', ')}; ${OUT}`,
);
const run: Record<Step, () => Promise<boolean>> = { generate, import: importData, train, serve };
for (const step of STEPS) {
  if (!steps.includes(step)) continue;
  console.log(`— ${step}`);
  if (!(await run[step]())) break;
}

console.log(`\n| step | wall s | CPU s (user+sys) | peak RSS MB | |`);
console.log('|---|---|---|---|---|');
for (const r of results)
  console.log(
    `| ${r.step} | ${r.wallSeconds.toFixed(1)} | ${r.cpuSeconds.toFixed(1)} | ${r.peakRssMB.toFixed(0)} | ${r.failed ? `FAILED: ${r.failed}` : r.note} |`,
  );
console.log(
  JSON.stringify({
    bench: 'scale',
    ratings: RATINGS,
    users: USERS,
    movies: MOVIES,
    db: args.db,
    results,
  }),
);
if (results.some((r) => r.failed)) process.exitCode = 1;
