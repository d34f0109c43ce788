// The serve-mix harness (BENCHMARKS.md) shared by bench/serve.ts and bench/serveEvents.ts.
//
// - prepareServeMix: synthetic-1m (6,040 users, 3,900 movies, 1,000,209 ratings) imported into a
//   SQLite file, the trained and published rating and ranking models, logged-in members each with
//   20 ratings.
//   With PREPARED=<dir> the result is kept there and reused by later runs of the same setup.
// - startServer: the server in its own process (this file with --server), on loopback.
// - loadRun: autocannon from the calling process, 70% GET /api/recommendations?n=20, 20% GET
//   /api/movies/:id, 10% PUT /api/ratings/:id, with the server's peak RSS and the machine load.
//
// - Server diagnostics per run (what the latency tail is made of): event-loop delay p99 and max,
//   GC pauses (count, total, longest), and the server-side time of each route (p50, p99).
//
// Environment read here: MEMBERS (200), ALGORITHM (the rating model, default blend),
// RANKING_ALGORITHM (the ranking model, default top-picks), CONNECTIONS (50), PREPARED, KEEP=1,
// WORKERS (server processes, as `lenslab serve --workers`; default 1; RSS and CPU add them up),
// PROFILE=<dir> (the server writes a V8 CPU profile there when it stops).
import { spawn, type ChildProcess } from 'node:child_process';
import cluster from 'node:cluster';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { serveNodeFlags } from '../src/cli/serveNodeFlags.ts';
import { generateSynthetic } from '../src/datasets/synthetic.ts';
import { migrateToLatest, openDatabase, type Db } from '../src/db/connection.ts';
import { buildServer } from '../src/http/server.ts';
import { DEFAULT_ALGORITHM, DEFAULT_RANKING_ALGORITHM, fitAlgorithm } from '../src/recsys/index.ts';
import { registerMember } from '../src/services/accounts.ts';
import { importDataset } from '../src/services/datasets.ts';
import { loadDataset } from '../src/services/datasetLoading.ts';
import { databaseOrigin, publishModel } from '../src/services/models.ts';
import { putRating } from '../src/services/ratings.ts';
import { SESSION_COOKIE, SessionStore } from '../src/services/sessions.ts';
import { Vault } from '../src/services/vault.ts';

const SECRET = 'bench secret, not for production use';
const RATINGS_PER_MEMBER = 20;

export const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
export const MEMBERS = Number(process.env.MEMBERS ?? 200);
/** The served models: the site's defaults unless ALGORITHM / RANKING_ALGORITHM say otherwise. */
export const ALGORITHM = process.env.ALGORITHM ?? DEFAULT_ALGORITHM;
export const RANKING_ALGORITHM = process.env.RANKING_ALGORITHM ?? DEFAULT_RANKING_ALGORITHM;
const SETUP = `${ALGORITHM}+${RANKING_ALGORITHM}`;

export interface Member {
  cookie: string;
  csrfToken: string;
}

export interface PreparedMix {
  dir: string;
  dbPath: string;
  modelsDir: string;
  members: Member[];
  /** Every movie id (ratings go to any movie). */
  movieIds: number[];
  /** The 1,000 most rated movies (members' own ratings and movie pages are drawn from them). */
  popular: number[];
  algorithm: string;
}

export interface RunResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** Socket errors and non-2xx answers. */
  errors: number;
  non2xx: number;
  timeouts: number;
  /** Peak resident set size of the server process (MB). */
  rssMB: number;
  /**
   * CPU time the server process used per request (ms, all its threads): unlike requests/s it
   * hardly depends on what else the machine runs.
   */
  cpuMsPerRequest: number;
  /** One-minute load average of the machine, before and after (2 cores: > 2 means contention). */
  load: [number, number];
  /** What the server saw during the run. */
  server: ServerStats;
}

/** The server's own view of a run (ms): event-loop delay, GC pauses, time spent per route. */
export interface ServerStats {
  loopDelay: { p99: number; max: number };
  /** Every GC, and the major (mark-compact) ones among them. */
  gc: { count: number; totalMs: number; maxMs: number; major: number; majorMaxMs: number };
  /** process.memoryUsage() at the end (MB): what the RSS is made of. */
  memory: { heapUsed: number; heapTotal: number; external: number; arrayBuffers: number };
  /** Route (method and pattern) → requests, p50 and p99 of the time from request to response. */
  routes: Record<string, { count: number; p50: number; p99: number }>;
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

export const seconds = (since: number): string =>
  `${((performance.now() - since) / 1000).toFixed(1)} s`;

/** The process and its child processes (a server's cluster workers), Linux /proc. */
function withChildren(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(' ')
      .filter(Boolean)
      .map(Number);
  } catch {
    // gone, or no children file
  }
  return [pid, ...children];
}

/** Resident set size of a process and its child processes in MB (Linux /proc). */
export function rssMB(pid: number): number {
  let kB = 0;
  for (const id of withChildren(pid)) {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${id}/status`, 'utf8'));
    kB += match ? Number(match[1]) : NaN;
  }
  return kB / 1024;
}

/**
 * CPU time a process and its child processes have used so far, in ms (Linux /proc; clock ticks
 * of 10 ms).
 */
export function cpuMs(pid: number): number {
  let ticks = 0;
  for (const id of withChildren(pid)) {
    const stat = readFileSync(`/proc/${id}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: state is field 3 of stat(5), utime 14 and stime 15.
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * 10;
}

export function machineLine(): string {
  const cpu = cpus();
  return `machine: ${cpu.length} × ${cpu[0].model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`;
}

// ---- preparation ----------------------------------------------------------------------------

async function prepareInto(dir: string): Promise<PreparedMix> {
  const dbPath = join(dir, 'serve-mix.db');
  const modelsDir = join(dir, 'models');
  let started = performance.now();
  const dataset = generateSynthetic({ users: 6040, movies: 3900, ratings: 1000209, seed: 1 });
  const db = await openDatabase(dbPath);
  await migrateToLatest(db);
  await importDataset(db, dataset, 'empty');
  console.log(`synthetic-1m generated and imported into SQLite in ${seconds(started)}`);

  const training = await loadDataset(db);
  // The site's two models: the rating model for the stars, the ranking model for the lists.
  for (const algorithm of [ALGORITHM, RANKING_ALGORITHM]) {
    started = performance.now();
    const model = fitAlgorithm(algorithm, training.ratings, {}, { seed: 1, scale: training.scale });
    const path = publishModel(
      model,
      {
        ...(await databaseOrigin(db)),
        snapshotTime: new Date().toISOString(),
        trainedAt: new Date().toISOString(),
        ratings: training.ratings.length,
        users: training.ratings.userIds.size,
        items: training.ratings.itemIds.size,
        seed: 1,
        metrics: {},
        metricsProtocol: null,
      },
      modelsDir,
    );
    console.log(
      `trained ${algorithm} on ${training.ratings.length} ratings and published ${path} in ${seconds(started)}`,
    );
  }

  const counts = new Map<number, number>();
  for (let r = 0; r < training.ratings.length; r++) {
    const id = training.ratings.itemIds.ids[training.ratings.itemIndex[r]];
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const popular = [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([id]) => id)
    .slice(0, 1000);
  const movieIds = training.movies.map((m) => m.id);

  started = performance.now();
  const members = await registerMembers(db, popular);
  console.log(
    `${MEMBERS} members registered, each with ${RATINGS_PER_MEMBER} ratings and a session, in ${seconds(started)}`,
  );
  await db.close();
  return { dir, dbPath, modelsDir, members, movieIds, popular, algorithm: SETUP };
}

/**
 * MEMBERS web members of the bench's vault, each with RATINGS_PER_MEMBER ratings of `popular`
 * movies and a session (the same every time: a seeded generator). Their e-mail addresses start
 * with `prefix` (another one registers another 200 in a database that has the first).
 */
export async function registerMembers(
  db: Db,
  popular: number[],
  prefix = 'bench',
): Promise<Member[]> {
  const vault = new Vault({ secret: SECRET });
  const sessions = new SessionStore(db);
  const members: Member[] = [];
  let seed = 12345;
  const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
  for (let k = 0; k < MEMBERS; k++) {
    const userId = await registerMember(db, vault, {
      email: `${prefix}.${k}@example.org`,
      password: 'bench password 123',
    });
    if (userId === null) throw new Error('registration failed');
    const rated = new Set<number>();
    while (rated.size < RATINGS_PER_MEMBER) rated.add(popular[next() % popular.length]);
    for (const movieId of rated) await putRating(db, userId, movieId, 1 + (next() % 5));
    const { token, session } = await sessions.create(userId);
    members.push({ cookie: `${SESSION_COOKIE}=${token}`, csrfToken: session.csrfToken });
  }
  return members;
}

const DB_FILES = ['serve-mix.db', 'serve-mix.db-wal', 'serve-mix.db-shm'];

/**
 * The database, model and members: in a fresh temporary folder, or with PREPARED=<dir> reused
 * from there when made before for the same algorithm and member count (a pristine copy of the
 * database is kept, so every bench starts from the same state).
 */
export async function prepareServeMix(): Promise<PreparedMix> {
  const prepared = process.env.PREPARED;
  if (!prepared) return prepareInto(mkdtempSync(join(tmpdir(), 'lenslab-serve-mix-')));
  const saved = join(prepared, 'prepared.json');
  const pristine = join(prepared, 'pristine.db');
  if (existsSync(saved)) {
    const data = JSON.parse(readFileSync(saved, 'utf8')) as PreparedMix;
    if (data.algorithm === SETUP && data.members.length === MEMBERS) {
      // A write-ahead log left by an earlier run must not be replayed onto the fresh copy.
      for (const file of DB_FILES) rmSync(join(prepared, file), { force: true });
      copyFileSync(pristine, data.dbPath);
      console.log(`reusing the database, model and members prepared in ${prepared}`);
      return data;
    }
    console.log(
      `${prepared} holds another setup (${data.algorithm}, ${data.members.length} members): preparing anew`,
    );
    // Only what an earlier preparation made there: the folder may hold other files.
    for (const made of [...DB_FILES, 'models', 'prepared.json', 'pristine.db'])
      rmSync(join(prepared, made), { recursive: true, force: true });
  }
  mkdirSync(prepared, { recursive: true });
  const data = await prepareInto(prepared);
  copyFileSync(data.dbPath, pristine);
  writeFileSync(saved, JSON.stringify(data));
  return data;
}

/** Removes the temporary folder unless it is PREPARED or KEEP=1 is set. */
export function cleanUp(data: PreparedMix): void {
  if (process.env.PREPARED || process.env.KEEP) console.log(`kept ${data.dir}`);
  else rmSync(data.dir, { recursive: true, force: true });
}

// ---- the server process ---------------------------------------------------------------------

async function runServer(dbPath: string, modelsDir: string): Promise<void> {
  const db = await openDatabase(dbPath);
  const app = await buildServer({
    db,
    vaultOptions: { secret: SECRET },
    recommenderOptions: { modelsDir, watchIntervalMs: 0 },
    mailerOptions: { outboxDir: join(modelsDir, '..', 'outbox'), smtpUrl: '' },
    log: (message) => process.stderr.write(`server: ${message}\n`),
  });
  app.addHook('onClose', async () => {
    const { events } = app.services.research;
    if (events.enabled) process.stderr.write(`server: event log ${JSON.stringify(events.stats)}\n`);
  });
  // SIGUSR2 from loadRun: report what was seen since the last one, and start anew.
  const stats = serverStats(app);
  process.on('SIGUSR2', () => process.stdout.write(`STATS ${JSON.stringify(stats.take())}\n`));
  // Cluster workers listening on port 0 share one port, which the primary announces.
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  if (cluster.isPrimary) process.stdout.write(`READY ${address.port}\n`);
  process.on('SIGTERM', () => {
    void app
      .close()
      .then(() => db.close())
      .then(() => process.exit(0));
  });
}

/** Collects ServerStats in the server process; `take` returns them and starts anew. */
function serverStats(app: Awaited<ReturnType<typeof buildServer>>): { take: () => ServerStats } {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const noGc = () => ({ count: 0, totalMs: 0, maxMs: 0, major: 0, majorMaxMs: 0 });
  let gc = noGc();
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.count++;
      gc.totalMs += entry.duration;
      gc.maxMs = Math.max(gc.maxMs, entry.duration);
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        gc.major++;
        gc.majorMaxMs = Math.max(gc.majorMaxMs, entry.duration);
      }
    }
  }).observe({ entryTypes: ['gc'] });
  let times = new Map<string, number[]>();
  app.addHook('onResponse', async (request, reply) => {
    const route = `${request.method} ${request.routeOptions.url ?? 'unmatched'}`;
    let list = times.get(route);
    if (!list) times.set(route, (list = []));
    list.push(reply.elapsedTime);
  });
  const quantile = (sorted: number[], q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return {
    take() {
      const routes: ServerStats['routes'] = {};
      for (const [route, list] of times) {
        const sorted = list.sort((a, b) => a - b);
        routes[route] = {
          count: sorted.length,
          p50: quantile(sorted, 0.5),
          p99: quantile(sorted, 0.99),
        };
      }
      const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
      const memory = process.memoryUsage();
      const result: ServerStats = {
        loopDelay: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
        gc,
        memory: {
          heapUsed: mb(memory.heapUsed),
          heapTotal: mb(memory.heapTotal),
          external: mb(memory.external),
          arrayBuffers: mb(memory.arrayBuffers),
        },
        routes,
      };
      loop.reset();
      gc = noGc();
      times = new Map();
      return result;
    },
  };
}

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  /** Asks the server for its stats since the last call (see serverStats). */
  stats: () => Promise<ServerStats>;
}

/**
 * Starts the server on `dbPath` in its own process; `events: false` runs it with
 * LENSLAB_EVENTS=off. With PROFILE=<dir> the server writes a CPU profile there when stopped.
 */
export function startServer(
  dbPath: string,
  modelsDir: string,
  options: { events: boolean },
): Promise<ServerProcess> {
  const profile = process.env.PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.PROFILE] : [];
  // The flags `lenslab serve` runs with, then any to try.
  const nodeFlags = [
    ...serveNodeFlags(),
    ...(process.env.SERVER_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        ...profile,
        ...nodeFlags,
        '--import',
        'tsx',
        'bench/serveMix.ts',
        '--server',
        dbPath,
        modelsDir,
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, LENSLAB_EVENTS: options.events ? 'on' : 'off' },
      },
    );
    const waiting: Array<(stats: ServerStats) => void> = [];
    const stats = () =>
      new Promise<ServerStats>((answer) => {
        waiting.push(answer);
        child.kill('SIGUSR2');
      });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const ready = /^READY (\d+)$/.exec(line);
      if (ready) resolve({ child, port: Number(ready[1]), stats });
      else if (line.startsWith('STATS '))
        waiting.shift()?.(JSON.parse(line.slice(6)) as ServerStats);
    });
    child.on('exit', (code) => reject(new Error(`the server exited with code ${code}`)));
  });
}

/** Stops a server and waits until its process has ended (and written its profile). */
export function stopServer(server: ServerProcess): Promise<void> {
  return new Promise((resolve) => {
    server.child.removeAllListeners('exit');
    if (server.child.exitCode !== null) return resolve();
    server.child.on('exit', () => resolve());
    server.child.kill('SIGTERM');
  });
}

// ---- the load ------------------------------------------------------------------------------

interface AutocannonRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}
interface AutocannonResult {
  requests: { total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** One serve-mix run of `duration` seconds against a server. */
export async function loadRun(
  server: ServerProcess,
  data: PreparedMix,
  duration: number,
): Promise<RunResult> {
  const { members, movieIds, popular } = data;
  const pid = server.child.pid!;
  let memberCursor = 0;
  let random = 987654321;
  const next = () => (random = (Math.imul(random, 1664525) + 1013904223) >>> 0);
  // Each connection is one member throughout.
  const who = (context: Record<string, unknown>): Member => {
    context.member ??= members[memberCursor++ % members.length];
    return context.member as Member;
  };
  const recommendations = {
    method: 'GET',
    path: '/api/recommendations?n=20',
    setupRequest: (request: AutocannonRequest, context: Record<string, unknown>) => ({
      ...request,
      headers: { cookie: who(context).cookie },
    }),
  };
  const moviePage = {
    method: 'GET',
    path: '/api/movies/1',
    setupRequest: (request: AutocannonRequest, context: Record<string, unknown>) => ({
      ...request,
      path: `/api/movies/${popular[next() % popular.length]}`,
      headers: { cookie: who(context).cookie },
    }),
  };
  const rate = {
    method: 'PUT',
    path: '/api/ratings/1',
    setupRequest: (request: AutocannonRequest, context: Record<string, unknown>) => {
      const member = who(context);
      return {
        ...request,
        path: `/api/ratings/${movieIds[next() % movieIds.length]}`,
        headers: {
          cookie: member.cookie,
          'x-csrf-token': member.csrfToken,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ rating: 1 + (next() % 5) }),
      };
    },
  };
  // One cycle of 10 requests per connection: 7 recommendations, 2 movie pages, 1 rating.
  const R = recommendations;
  const requests = [R, moviePage, R, R, rate, R, moviePage, R, R, R];
  let peakRss = rssMB(pid);
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMB(pid))), 250);
  await server.stats();
  const loadBefore = loadavg()[0];
  const cpuBefore = cpuMs(pid);
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}`,
    connections: CONNECTIONS,
    duration,
    requests,
  });
  clearInterval(sampler);
  const cpuUsed = cpuMs(pid) - cpuBefore;
  const serverSeen = await server.stats();
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
    non2xx: result.non2xx,
    timeouts: result.timeouts,
    rssMB: Math.max(peakRss, rssMB(pid)),
    cpuMsPerRequest: cpuUsed / Math.max(1, result.requests.total),
    load: [loadBefore, loadavg()[0]],
    server: serverSeen,
  };
}

/** The server's view of a run in one line: event loop, GC, and each route's p50/p99 (ms). */
export function serverLine(s: ServerStats): string {
  const routes = Object.entries(s.routes)
    .sort((a, b) => b[1].count - a[1].count)
    .map(([route, r]) => `${route} ${r.p50.toFixed(2)}/${r.p99.toFixed(2)}`)
    .join(', ');
  const { gc, memory } = s;
  return `server: loop delay p99 ${s.loopDelay.p99.toFixed(1)} max ${s.loopDelay.max.toFixed(1)} ms; GC ${gc.count}× ${gc.totalMs.toFixed(0)} ms (max ${gc.maxMs.toFixed(1)}; ${gc.major} major, max ${gc.majorMaxMs.toFixed(1)}); heap ${memory.heapUsed}/${memory.heapTotal} MB, external ${memory.external} MB (array buffers ${memory.arrayBuffers}); route p50/p99 ms ${routes}`;
}

/** The cheapest route (no session, no model) against the same server: a reference ceiling. */
export async function referenceRun(server: ServerProcess, duration: number): Promise<string> {
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}`,
    connections: CONNECTIONS,
    duration,
    requests: [{ method: 'GET', path: '/api/genres' }],
  });
  return `${(result.requests.total / result.duration).toFixed(0)} requests/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`;
}

/** Medians of runs (errors and timeouts summed, RSS the maximum). */
export function summarize(runs: RunResult[]) {
  return {
    requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    timeouts: runs.reduce((sum, r) => sum + r.timeouts, 0),
    rssMB: Math.max(...runs.map((r) => r.rssMB)),
    cpuMsPerRequest: median(runs.map((r) => r.cpuMsPerRequest)),
  };
}

/** The columns of runCells. */
export const RUN_COLUMNS =
  'requests/s | p50 ms | p99 ms | errors (non-2xx) | timeouts | server RSS MB | server CPU ms/request | machine load';

/** A table row: requests/s | p50 | p99 | errors (non-2xx) | timeouts | RSS | CPU | load. */
export function runCells(r: RunResult): string {
  return `${r.requestsPerSecond.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} (${r.non2xx}) | ${r.timeouts} | ${r.rssMB.toFixed(0)} | ${r.cpuMsPerRequest.toFixed(3)} | ${r.load.map((l) => l.toFixed(1)).join(' → ')}`;
}

/** The median row of a table (errors and timeouts summed, RSS the maximum). */
export function summaryCells(m: ReturnType<typeof summarize>): string {
  return `${m.requestsPerSecond.toFixed(0)} | ${m.p50} | ${m.p99} | ${m.errors} (total) | ${m.timeouts} (total) | ${m.rssMB.toFixed(0)} (max) | ${m.cpuMsPerRequest.toFixed(3)} |`;
}

/** WORKERS=N (N > 1): the server as `lenslab serve --workers N` runs, N cluster workers. */
function runWorkers(count: number): void {
  let listening = 0;
  cluster.on('listening', (_worker, address) => {
    if (++listening === count) process.stdout.write(`READY ${address.port}\n`);
  });
  cluster.on('exit', () => {
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  });
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  });
  for (let i = 0; i < count; i++) cluster.fork();
}

if (process.argv[2] === '--server') {
  const workers = Number(process.env.WORKERS ?? 1);
  if (cluster.isPrimary && workers > 1) runWorkers(workers);
  else await runServer(process.argv[3], process.argv[4]);
}
