// npm run bench:serve — the serve-mix protocol (BENCHMARKS.md).
//
// The server runs in its own process on the synthetic-1m database (6,040 users, 3,900 movies,
// 1,000,209 ratings, imported into a temporary SQLite file) with a trained, published model of
// the default algorithm; this process is the load generator (autocannon, loopback): 50
// concurrent connections of logged-in members for 30 s, 70% GET /api/recommendations?n=20,
// 20% GET /api/movies/:id (movie page data with prediction), 10% PUT /api/ratings/:id.
// Reports requests/s, p50/p99 latency, errors and the server's RSS, for several runs and their
// median.
//
// Environment: RUNS (default 3), DURATION seconds (30), CONNECTIONS (50), MEMBERS (200),
// ALGORITHM (the served model; default svd, biased MF), KEEP=1 keeps the temporary folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { generateSynthetic } from '../src/datasets/synthetic.ts';
import { migrateToLatest, openDatabase } from '../src/db/connection.ts';
import { buildServer } from '../src/http/server.ts';
import { fitAlgorithm } from '../src/recsys/index.ts';
import { registerMember } from '../src/services/accounts.ts';
import { importDataset, loadDataset } from '../src/services/datasets.ts';
import { publishModel } from '../src/services/models.ts';
import { putRating } from '../src/services/ratings.ts';
import { SESSION_COOKIE, SessionStore } from '../src/services/sessions.ts';
import { Vault } from '../src/services/vault.ts';

const SECRET = 'bench secret, not for production use';

// ---- the server process -------------------------------------------------------------------

async function runServer(dbPath: string, modelsDir: string): Promise<void> {
  const db = await openDatabase(dbPath);
  const app = await buildServer({
    db,
    vaultOptions: { secret: SECRET },
    recommenderOptions: { modelsDir, watchIntervalMs: 0 },
    mailerOptions: { outboxDir: join(modelsDir, '..', 'outbox'), smtpUrl: '' },
    log: (message) => process.stderr.write(`server: ${message}\n`),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  process.stdout.write(`READY ${address.port}\n`);
  process.on('SIGTERM', () => {
    void app
      .close()
      .then(() => db.close())
      .then(() => process.exit(0));
  });
}

// ---- the load generator -------------------------------------------------------------------

interface AutocannonRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;

const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as Autocannon;

const RUNS = Number(process.env.RUNS ?? 3);
const DURATION = Number(process.env.DURATION ?? 30);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const MEMBERS = Number(process.env.MEMBERS ?? 200);
const RATINGS_PER_MEMBER = 20;
const ALGORITHM = process.env.ALGORITHM ?? 'svd';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

/** Resident set size of a process in MB (Linux /proc). */
function rssMB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

interface Member {
  cookie: string;
  csrfToken: string;
}

async function prepare(dir: string): Promise<{
  dbPath: string;
  modelsDir: string;
  members: Member[];
  movieIds: number[];
  popular: number[];
}> {
  const dbPath = join(dir, 'serve-bench.db');
  const modelsDir = join(dir, 'models');
  let started = performance.now();
  const dataset = generateSynthetic({ users: 6040, movies: 3900, ratings: 1000209, seed: 1 });
  const db = await openDatabase(dbPath);
  await migrateToLatest(db);
  await importDataset(db, dataset, 'empty');
  console.log(`synthetic-1m generated and imported into SQLite in ${seconds(started)}`);

  started = performance.now();
  const training = await loadDataset(db);
  const model = fitAlgorithm(ALGORITHM, training.ratings, {}, { seed: 1, scale: training.scale });
  const path = publishModel(
    model,
    {
      snapshotTime: new Date().toISOString(),
      trainedAt: new Date().toISOString(),
      source: 'database',
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
    `trained ${ALGORITHM} on ${training.ratings.length} ratings and published ${path} in ${seconds(started)}`,
  );

  // Movies by popularity: members rate among the 1,000 most popular; movie pages are drawn from them too.
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
  const vault = new Vault({ secret: SECRET });
  const sessions = new SessionStore(db);
  const members: Member[] = [];
  let seed = 12345;
  const next = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed;
  };
  for (let k = 0; k < MEMBERS; k++) {
    const userId = await registerMember(db, vault, {
      email: `bench.${k}@example.org`,
      password: 'bench password 123',
    });
    if (userId === null) throw new Error('registration failed');
    const rated = new Set<number>();
    while (rated.size < RATINGS_PER_MEMBER) rated.add(popular[next() % popular.length]);
    for (const movieId of rated) await putRating(db, userId, movieId, 1 + (next() % 5));
    const { token, session } = await sessions.create(userId);
    members.push({ cookie: `${SESSION_COOKIE}=${token}`, csrfToken: session.csrfToken });
  }
  console.log(
    `${MEMBERS} members registered, each with ${RATINGS_PER_MEMBER} ratings and a session, in ${seconds(started)}`,
  );
  await db.close();
  return { dbPath, modelsDir, members, movieIds, popular };
}

function startServer(
  dbPath: string,
  modelsDir: string,
): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'bench/serve.ts', '--server', dbPath, modelsDir],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /READY (\d+)/.exec(output);
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.on('exit', (code) => reject(new Error(`the server exited with code ${code}`)));
  });
}

async function loadRun(
  port: number,
  members: Member[],
  movieIds: number[],
  popular: number[],
  duration: number,
  serverPid: number,
) {
  let memberCursor = 0;
  let random = 987654321;
  const next = () => {
    random = (Math.imul(random, 1664525) + 1013904223) >>> 0;
    return random;
  };
  const who = (context: Record<string, unknown>): Member => {
    context.member ??= members[memberCursor++ % members.length];
    return context.member as Member;
  };
  const recommendations = {
    method: 'GET',
    path: '/api/recommendations?n=20',
    setupRequest: (request: AutocannonRequest, context: Record<string, unknown>) => {
      const member = who(context);
      return { ...request, headers: { cookie: member.cookie } };
    },
  };
  const moviePage = {
    method: 'GET',
    path: '/api/movies/1',
    setupRequest: (request: AutocannonRequest, context: Record<string, unknown>) => {
      const member = who(context);
      return {
        ...request,
        path: `/api/movies/${popular[next() % popular.length]}`,
        headers: { cookie: member.cookie },
      };
    },
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
  const requests = [
    recommendations,
    moviePage,
    recommendations,
    recommendations,
    rate,
    recommendations,
    moviePage,
    recommendations,
    recommendations,
    recommendations,
  ];
  let peakRss = rssMB(serverPid);
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssMB(serverPid));
  }, 250);
  const loadBefore = loadavg()[0];
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration,
    requests,
  });
  clearInterval(sampler);
  peakRss = Math.max(peakRss, rssMB(serverPid));
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    rssMB: peakRss,
    /** One-minute load average of the machine, before and after (2 cores: > 2 means contention). */
    load: [loadBefore, loadavg()[0]],
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lenslab-serve-bench-'));
  const cpu = cpus();
  console.log(
    `machine: ${cpu.length} × ${cpu[0].model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  );
  console.log(
    `serve-mix: ${CONNECTIONS} connections, ${DURATION} s per run, ${RUNS} runs, ${MEMBERS} logged-in members`,
  );
  const { dbPath, modelsDir, members, movieIds, popular } = await prepare(dir);
  const started = performance.now();
  const { child, port } = await startServer(dbPath, modelsDir);
  console.log(
    `server started (loading the catalog and the model) in ${seconds(started)}, RSS ${rssMB(child.pid!).toFixed(0)} MB`,
  );
  try {
    // Warm-up (not counted): JIT, caches of every member's fold-in.
    await loadRun(port, members, movieIds, popular, 5, child.pid!);
    const runs = [];
    console.log(
      '| run | requests/s | p50 ms | p99 ms | errors (non-2xx) | timeouts | server RSS MB | machine load |',
    );
    console.log('|---|---|---|---|---|---|---|---|');
    for (let run = 1; run <= RUNS; run++) {
      const r = await loadRun(port, members, movieIds, popular, DURATION, child.pid!);
      runs.push(r);
      console.log(
        `| ${run} | ${r.requestsPerSecond.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} (${r.non2xx}) | ${r.timeouts} | ${r.rssMB.toFixed(0)} | ${r.load.map((l) => l.toFixed(1)).join(' → ')} |`,
      );
    }
    const m = {
      requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
      p50: median(runs.map((r) => r.p50)),
      p99: median(runs.map((r) => r.p99)),
      errors: runs.reduce((sum, r) => sum + r.errors, 0),
      timeouts: runs.reduce((sum, r) => sum + r.timeouts, 0),
      rssMB: Math.max(...runs.map((r) => r.rssMB)),
    };
    console.log(
      `| median | ${m.requestsPerSecond.toFixed(0)} | ${m.p50} | ${m.p99} | ${m.errors} (total) | ${m.timeouts} (total) | ${m.rssMB.toFixed(0)} (max) | |`,
    );
    // Reference on the same machine at the same moment: the cheapest route (no session, no model).
    const reference = await autocannon({
      url: `http://127.0.0.1:${port}`,
      connections: CONNECTIONS,
      duration: 10,
      requests: [{ method: 'GET', path: '/api/genres' }],
    });
    console.log(
      `reference (GET /api/genres, 10 s, same server): ${(reference.requests.total / reference.duration).toFixed(0)} requests/s, p50 ${reference.latency.p50} ms, p99 ${reference.latency.p99} ms`,
    );
    const floor =
      m.requestsPerSecond >= 1500 && m.p99 <= 50 && m.errors + m.timeouts === 0 && m.rssMB <= 500;
    console.log(
      `floor (≥ 1,500 req/s, p99 ≤ 50 ms, no errors, RSS ≤ 500 MB): ${floor ? 'met' : 'NOT met'}`,
    );
    console.log(
      JSON.stringify({
        protocol: 'serve-mix',
        connections: CONNECTIONS,
        duration: DURATION,
        runs,
        median: m,
      }),
    );
  } finally {
    child.kill('SIGTERM');
    if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
    else console.log(`kept ${dir}`);
  }
}

if (process.argv[2] === '--server') {
  await runServer(process.argv[3], process.argv[4]);
} else {
  await main();
}
