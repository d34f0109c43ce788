// serve-mix with the research event log on and off (issue #5: logging may cost ≤ 10% throughput).
//
// Same protocol as bench/serve.ts (synthetic-1m in a temporary SQLite file, a trained model,
// logged-in members, 70% GET /api/recommendations?n=20, 20% GET /api/movies/:id, 10% PUT
// /api/ratings/:id, autocannon from this process) but the server runs alternately with the event
// log off and on, restarted for each run, in alternating order, and the medians are compared.
//
// "on" uses the hooks wired into the server (LENSLAB_EVENTS); with EXTERNAL_HOOKS=1 it attaches
// stand-in hooks from outside the server instead, as before the wiring: a `page` event per request (onResponse), a `predictions_shown` event per
// recommendation list (20 movies) and per movie page (1 movie), a `rating` event per PUT
// (preSerialization, reading the response object, so no extra parsing).
//
// Environment: RUNS (default 3 per mode), DURATION seconds (20), CONNECTIONS (50), MEMBERS (100),
// ALGORITHM (default: the site's default model; a cheaper one makes the logging cost relatively
// larger, a stricter test), PREPARED=<dir> (prepare the database, model and members there once
// and reuse them on later runs), KEEP=1 keeps the temporary folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { generateSynthetic } from '../src/datasets/synthetic.ts';
import { migrateToLatest, openDatabase } from '../src/db/connection.ts';
import { researchOf } from '../src/http/research.ts';
import { buildServer } from '../src/http/server.ts';
import { DEFAULT_ALGORITHM, fitAlgorithm } from '../src/recsys/index.ts';
import { registerMember } from '../src/services/accounts.ts';
import { importDataset, loadDataset } from '../src/services/datasets.ts';
import { EventLog } from '../src/services/events.ts';
import { publishModel } from '../src/services/models.ts';
import { putRating } from '../src/services/ratings.ts';
import { SESSION_COOKIE, SessionStore } from '../src/services/sessions.ts';
import { Vault } from '../src/services/vault.ts';

const SECRET = 'bench secret, not for production use';

// ---- the server process -------------------------------------------------------------------

interface ListPayload {
  items?: Array<{ id: number; predictedRating: number | null }>;
  model?: { algorithm: string; version: string };
}

async function runServer(dbPath: string, modelsDir: string, logging: boolean): Promise<void> {
  // The server's own hooks (src/http/eventHooks.ts and the handlers) log when LENSLAB_EVENTS is
  // not "off"; EXTERNAL_HOOKS=1 measures the stand-in hooks below instead (as before the wiring).
  const external = process.env.EXTERNAL_HOOKS === '1';
  process.env.LENSLAB_EVENTS = logging && !external ? 'on' : 'off';
  const db = await openDatabase(dbPath);
  const app = await buildServer({
    db,
    vaultOptions: { secret: SECRET },
    recommenderOptions: { modelsDir, watchIntervalMs: 0 },
    mailerOptions: { outboxDir: join(modelsDir, '..', 'outbox'), smtpUrl: '' },
    log: (message) => process.stderr.write(`server: ${message}\n`),
  });
  const eventLog = logging && external ? new EventLog(db) : null;
  if (logging && !external) {
    app.addHook('onClose', async () => {
      process.stderr.write(
        `server: event log ${JSON.stringify(researchOf(app.services).events.stats)}\n`,
      );
    });
  }
  if (eventLog) {
    app.addHook('preSerialization', async (request, reply, payload) => {
      const memberId = request.session?.userId;
      if (memberId === undefined || reply.statusCode >= 400) return payload;
      const route = request.routeOptions.url;
      const body = payload as ListPayload & {
        movieId?: number;
        rating?: number;
        id?: number;
        predictedRating?: number | null;
      };
      if (route === '/api/recommendations' && body.items) {
        const movieIds = new Array<number>(body.items.length);
        const predicted = new Array<number>(body.items.length);
        for (let i = 0; i < body.items.length; i++) {
          movieIds[i] = body.items[i].id;
          predicted[i] = body.items[i].predictedRating ?? 0;
        }
        eventLog.record({
          kind: 'predictions_shown',
          memberId,
          context: 'recommendations',
          movieIds,
          predictedRatings: predicted,
          modelId: body.model?.algorithm ?? 'unknown',
          modelVersion: body.model?.version ?? 'unknown',
        });
      } else if (route === '/api/movies/:id' && typeof body.predictedRating === 'number') {
        eventLog.record({
          kind: 'predictions_shown',
          memberId,
          context: 'movie',
          movieIds: [body.id!],
          predictedRatings: [body.predictedRating],
          modelId: 'live',
          modelVersion: 'live',
        });
      } else if (route === '/api/ratings/:movieId' && request.method === 'PUT') {
        eventLog.record({
          kind: 'rating',
          memberId,
          movieId: body.movieId!,
          rating: body.rating!,
          previousRating: null,
        });
      }
      return payload;
    });
    app.addHook('onResponse', async (request, reply) => {
      eventLog.record({
        kind: 'page',
        memberId: request.session?.userId ?? null,
        route: request.routeOptions.url ?? 'unknown',
        method: request.method,
        status: reply.statusCode,
      });
    });
    app.addHook('onClose', async () => {
      await eventLog.close();
      process.stderr.write(`server: event log ${JSON.stringify(eventLog.stats)}\n`);
    });
  }
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
  requests: { total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const RUNS = Number(process.env.RUNS ?? 3);
const DURATION = Number(process.env.DURATION ?? 20);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const MEMBERS = Number(process.env.MEMBERS ?? 100);
const RATINGS_PER_MEMBER = 20;
const ALGORITHM = process.env.ALGORITHM ?? DEFAULT_ALGORITHM;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

function rssMB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

interface Member {
  cookie: string;
  csrfToken: string;
}

async function prepare(dir: string) {
  const dbPath = join(dir, 'serve-events-bench.db');
  const modelsDir = join(dir, 'models');
  let started = performance.now();
  const dataset = generateSynthetic({ users: 6040, movies: 3900, ratings: 1000209, seed: 1 });
  const db = await openDatabase(dbPath);
  await migrateToLatest(db);
  await importDataset(db, dataset, 'empty');
  console.log(`synthetic-1m generated and imported in ${seconds(started)}`);
  started = performance.now();
  const training = await loadDataset(db);
  const model = fitAlgorithm(ALGORITHM, training.ratings, {}, { seed: 1, scale: training.scale });
  publishModel(
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
  console.log(`trained and published ${ALGORITHM} in ${seconds(started)}`);
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
  const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
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
    `${MEMBERS} members with ${RATINGS_PER_MEMBER} ratings and a session in ${seconds(started)}`,
  );
  await db.close();
  return { dbPath, modelsDir, members, movieIds, popular };
}

function startServer(
  dbPath: string,
  modelsDir: string,
  logging: boolean,
): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'bench/serveEvents.ts',
        '--server',
        dbPath,
        modelsDir,
        logging ? 'on' : 'off',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
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

function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function loadRun(
  port: number,
  data: Awaited<ReturnType<typeof prepare>>,
  duration: number,
  serverPid: number,
) {
  const { members, movieIds, popular } = data;
  let memberCursor = 0;
  let random = 987654321;
  const next = () => (random = (Math.imul(random, 1664525) + 1013904223) >>> 0);
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
  const R = recommendations;
  const requests = [R, moviePage, R, R, rate, R, moviePage, R, R, R];
  let peakRss = rssMB(serverPid);
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMB(serverPid))), 250);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration,
    requests,
  });
  clearInterval(sampler);
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    rssMB: Math.max(peakRss, rssMB(serverPid)),
  };
}

async function main(): Promise<void> {
  const prepared = process.env.PREPARED;
  const dir = prepared ?? mkdtempSync(join(tmpdir(), 'lenslab-serve-events-bench-'));
  const cpu = cpus();
  console.log(
    `machine: ${cpu.length} × ${cpu[0].model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  );
  console.log(
    `serve-mix, event log off vs on: ${CONNECTIONS} connections, ${DURATION} s per run, ${RUNS} runs per mode`,
  );
  const saved = join(dir, 'prepared.json');
  let data: Awaited<ReturnType<typeof prepare>>;
  if (prepared && existsSync(saved)) {
    data = JSON.parse(readFileSync(saved, 'utf8')) as typeof data;
    console.log(`reusing the database, model and members prepared in ${dir}`);
  } else {
    mkdirSync(dir, { recursive: true });
    data = await prepare(dir);
    if (prepared) writeFileSync(saved, JSON.stringify(data));
  }
  const results: Record<'off' | 'on', Array<Awaited<ReturnType<typeof loadRun>>>> = {
    off: [],
    on: [],
  };
  try {
    console.log('| run | events | requests/s | p50 ms | p99 ms | errors | server RSS MB |');
    console.log('|---|---|---|---|---|---|---|');
    for (let run = 1; run <= RUNS; run++) {
      const order: Array<'off' | 'on'> = run % 2 ? ['off', 'on'] : ['on', 'off'];
      for (const mode of order) {
        const { child, port } = await startServer(data.dbPath, data.modelsDir, mode === 'on');
        try {
          await loadRun(port, data, 5, child.pid!); // warm-up, not counted
          const r = await loadRun(port, data, DURATION, child.pid!);
          results[mode].push(r);
          console.log(
            `| ${run} | ${mode} | ${r.requestsPerSecond.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.rssMB.toFixed(0)} |`,
          );
        } finally {
          await stopServer(child);
        }
      }
    }
    const summary = (mode: 'off' | 'on') => ({
      requestsPerSecond: median(results[mode].map((r) => r.requestsPerSecond)),
      p50: median(results[mode].map((r) => r.p50)),
      p99: median(results[mode].map((r) => r.p99)),
      errors: results[mode].reduce((sum, r) => sum + r.errors, 0),
      rssMB: Math.max(...results[mode].map((r) => r.rssMB)),
    });
    const off = summary('off');
    const on = summary('on');
    for (const [mode, m] of [
      ['off', off],
      ['on', on],
    ] as const) {
      console.log(
        `| median | ${mode} | ${m.requestsPerSecond.toFixed(0)} | ${m.p50} | ${m.p99} | ${m.errors} (total) | ${m.rssMB.toFixed(0)} (max) |`,
      );
    }
    const loss = 1 - on.requestsPerSecond / off.requestsPerSecond;
    console.log(
      `throughput lost with logging on: ${(loss * 100).toFixed(1)}% (target ≤ 10%): ${loss <= 0.1 ? 'met' : 'NOT met'}`,
    );
    const events = await openDatabase(data.dbPath);
    const stored = await events.kysely
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    await events.close();
    console.log(`events stored over the "on" runs: ${Number(stored.n)}`);
    console.log(
      JSON.stringify({
        protocol: 'serve-mix/events',
        connections: CONNECTIONS,
        duration: DURATION,
        results,
        off,
        on,
        loss,
      }),
    );
  } finally {
    if (!process.env.KEEP && !prepared) rmSync(dir, { recursive: true, force: true });
    else console.log(`kept ${dir}`);
  }
}

if (process.argv[2] === '--server') {
  await runServer(process.argv[3], process.argv[4], process.argv[5] === 'on');
} else {
  await main();
}
