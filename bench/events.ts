/**
 * Event-log micro-benchmarks (issue #5): the cost of `EventLog.record()` on the request path,
 * and flush throughput (multi-row inserts in one transaction) on SQLite and PostgreSQL.
 * Reports medians of several runs. Usage:
 *   node --import tsx bench/events.ts [--runs 5] [--events 200000] [--pg postgres://127.0.0.1:5432/test]
 * The PostgreSQL part is skipped when the server cannot be reached.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import {
  defaultPostgresUser,
  migrateToLatest,
  openDatabase,
  type Db,
} from '../src/db/connection.ts';
import type { EventWriterKind } from '../src/services/eventWriters.ts';
import { EventLog, newVisitorId, type ResearchEvent } from '../src/services/events.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    events: { type: 'string', default: '200000' },
    'flush-events': { type: 'string', default: '20000' },
    pg: {
      type: 'string',
      default: process.env.LENSLAB_TEST_PG_URL ?? 'postgres://127.0.0.1:5432/test',
    },
  },
});
const runs = Number(values.runs);
const recordCount = Number(values.events);
const flushCount = Number(values['flush-events']);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** A request-shaped mix: page views, recommendation lists (20 items), ratings, searches. */
function makeEvents(n: number): ResearchEvent[] {
  const movieIds = Array.from({ length: 20 }, (_, i) => 100 + i);
  const predicted = Array.from({ length: 20 }, (_, i) => 4.5 - i * 0.05);
  const visitor = newVisitorId();
  const events: ResearchEvent[] = [];
  for (let i = 0; i < n; i++) {
    const memberId = 1 + (i % 5000);
    switch (i % 10) {
      case 0:
      case 1:
      case 2:
      case 3:
        events.push({
          kind: 'page',
          memberId,
          route: '/api/recommendations',
          method: 'GET',
          status: 200,
        });
        break;
      case 4:
      case 5:
      case 6:
        events.push({
          kind: 'predictions_shown',
          memberId,
          context: 'recommendations',
          movieIds,
          predictedRatings: predicted,
          modelId: 'als',
          modelVersion: '1',
        });
        break;
      case 7:
        events.push({
          kind: 'rating',
          memberId,
          movieId: 100 + (i % 3000),
          rating: 4,
          previousRating: null,
        });
        break;
      case 8:
        events.push({ kind: 'search', memberId, query: 'the godfather', resultCount: 3 });
        break;
      default:
        events.push({
          kind: 'page',
          visitorId: visitor,
          route: '/api/movies/:id',
          method: 'GET',
          status: 200,
        });
    }
  }
  return events;
}

/** ns per record(), in steady state: the queue is taken away (not written) every 500 events, as a flush would. */
async function benchRecord(db: Db): Promise<number> {
  const events = makeEvents(recordCount);
  const timings: number[] = [];
  for (let run = 0; run < runs; run++) {
    const log = new EventLog(db, {
      flushIntervalMs: 3_600_000,
      batchSize: Number.MAX_SAFE_INTEGER,
      maxQueued: Number.MAX_SAFE_INTEGER,
    });
    const internals = log as unknown as { queue: unknown[]; times: unknown[] };
    let elapsed = 0n;
    for (let start = 0; start < events.length; start += 500) {
      const end = Math.min(events.length, start + 500);
      const started = process.hrtime.bigint();
      for (let i = start; i < end; i++) log.record(events[i]);
      elapsed += process.hrtime.bigint() - started;
      internals.queue = [];
      internals.times = [];
    }
    timings.push(Number(elapsed) / events.length);
    await log.close();
  }
  return median(timings);
}

interface FlushFigures {
  rowsPerSecond: number;
  /** Event-loop delay while 500-event batches are flushed back to back (what requests feel). */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

async function benchFlush(db: Db, writer: EventWriterKind): Promise<FlushFigures> {
  const events = makeEvents(flushCount);
  const rates: number[] = [];
  const p99s: number[] = [];
  const maxima: number[] = [];
  for (let run = 0; run < runs; run++) {
    await db.kysely.deleteFrom('events').execute();
    const log = new EventLog(db, {
      flushIntervalMs: 3_600_000,
      batchSize: Number.MAX_SAFE_INTEGER,
      maxQueued: Number.MAX_SAFE_INTEGER,
      writer,
    });
    // Warm up (the SQLite writer thread starts on the first flush).
    log.record(events[0]);
    await log.flush();
    // Throughput: the whole queue in one flush (500-row statements, one transaction).
    for (const event of events) log.record(event);
    const started = performance.now();
    await log.flush();
    rates.push(events.length / ((performance.now() - started) / 1000));
    // Event-loop delay while 500-event batches are written, as the background flush would.
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    for (let batch = 0; batch < 20; batch++) {
      for (let i = 0; i < 500; i++) log.record(events[(batch * 500 + i) % events.length]);
      await log.flush();
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    delay.disable();
    p99s.push(delay.percentile(99) / 1e6);
    maxima.push(delay.max / 1e6);
    await log.close();
  }
  return {
    rowsPerSecond: median(rates),
    loopDelayP99Ms: median(p99s),
    loopDelayMaxMs: median(maxima),
  };
}

/** The same loop without events: the machine's own event-loop delay, to compare with. */
async function idleLoopDelay(): Promise<{ p99: number; max: number }> {
  const p99s: number[] = [];
  const maxima: number[] = [];
  for (let run = 0; run < runs; run++) {
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    for (let batch = 0; batch < 20; batch++) await new Promise((resolve) => setTimeout(resolve, 2));
    delay.disable();
    p99s.push(delay.percentile(99) / 1e6);
    maxima.push(delay.max / 1e6);
  }
  return { p99: median(p99s), max: median(maxima) };
}

function summarize(figures: FlushFigures) {
  return {
    rowsPerSecond: Math.round(figures.rowsPerSecond),
    loopDelayP99Ms: Number(figures.loopDelayP99Ms.toFixed(1)),
    loopDelayMaxMs: Number(figures.loopDelayMaxMs.toFixed(1)),
  };
}

/** The PostgreSQL URL with a user name (as openDatabase does). */
function postgresAdminUrl(): string {
  const url = new URL(values.pg!);
  if (!url.username) url.username = defaultPostgresUser();
  return url.toString();
}

async function postgresTarget(): Promise<string | null> {
  const client = new pg.Client({
    connectionString: postgresAdminUrl(),
    connectionTimeoutMillis: 3000,
  });
  try {
    await client.connect();
    await client.end();
  } catch (error) {
    console.log(`PostgreSQL at ${values.pg} unreachable (${(error as Error).message}): skipped`);
    return null;
  }
  const url = new URL(values.pg!);
  url.searchParams.set('schema', `bench_${randomBytes(4).toString('hex')}`);
  return url.toString();
}

const dir = mkdtempSync(join(tmpdir(), 'lenslab-bench-events-'));
const results: Record<string, unknown> = {
  runs,
  recordEvents: recordCount,
  flushEvents: flushCount,
};
try {
  const sqlite = await openDatabase(join(dir, 'bench.db'));
  await migrateToLatest(sqlite);
  results.recordNsPerEvent = Number((await benchRecord(sqlite)).toFixed(1));
  const idle = await idleLoopDelay();
  results.idleLoopDelay = {
    p99Ms: Number(idle.p99.toFixed(1)),
    maxMs: Number(idle.max.toFixed(1)),
  };
  for (const writer of ['sqlite', 'sqlite-worker', 'kysely'] as const) {
    const figures = await benchFlush(sqlite, writer);
    results[`sqlite/${writer}`] = summarize(figures);
    if (writer === 'sqlite') {
      // serve-mix makes 2 events per request (a page event, plus predictions shown or a rating):
      // the main-thread time logging costs each request with the default SQLite writer.
      const perEventUs = (results.recordNsPerEvent as number) / 1000 + 1e6 / figures.rowsPerSecond;
      results.serveMixLoggingMicrosecondsPerRequest = Number((2 * perEventUs).toFixed(1));
      // …as a share of the time one core can give each request at the serve-mix floor of 1,500 req/s on 2 cores.
      results.shareOfRequestBudgetAt1500PerSecond = Number(
        ((2 * perEventUs * 1500) / 2e6).toFixed(4),
      );
    }
  }
  await sqlite.close();

  const pgUrl = await postgresTarget();
  if (pgUrl) {
    const postgres = await openDatabase(pgUrl);
    try {
      await migrateToLatest(postgres);
      for (const writer of ['postgres', 'kysely'] as const) {
        results[`postgres/${writer}`] = summarize(await benchFlush(postgres, writer));
      }
    } finally {
      const schema = new URL(pgUrl).searchParams.get('schema');
      await postgres.close();
      const client = new pg.Client({ connectionString: postgresAdminUrl() });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(results, null, 2));
