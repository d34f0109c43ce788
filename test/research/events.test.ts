import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest, openDatabase, type Db } from '../../src/db/connection.ts';
import {
  CSV_COLUMNS,
  EventLog,
  type ResearchEvent,
  countEvents,
  deleteMemberEvents,
  eventRow,
  exportEvents,
  isVisitorId,
  newVisitorId,
  purgePageEvents,
  readEvents,
  schedulePagePurge,
  scrubRoute,
  scrubText,
  visitorIdFrom,
} from '../../src/services/events.ts';
import { eventWriter, PartialWriteError } from '../../src/services/eventWriters.ts';
import { testDatabases } from '../helpers/databases.ts';
import { TextSink, eventually } from './helpers.ts';

const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);
const DAY = 86_400_000;

/** One event of each kind, as the web server would record them. */
function oneOfEach(memberId: number, visitorId: string, at: number): ResearchEvent[] {
  return [
    { kind: 'page', visitorId, route: '/movies/:id', method: 'get', status: 200, at },
    { kind: 'login_failed', visitorId, reason: 'wrong-credentials', at: at + 1 },
    { kind: 'login', memberId, at: at + 2 },
    { kind: 'search', memberId, query: 'star wars', resultCount: 7, at: at + 3 },
    {
      kind: 'predictions_shown',
      memberId,
      context: 'recommendations',
      movieIds: new Int32Array([10, 20, 30]),
      predictedRatings: new Float32Array([4.51234567, 4.25, 3.5]),
      modelId: 'item-knn',
      modelVersion: 3,
      experiment: 'rec-algorithm',
      variant: 'knn',
      at: at + 4,
    },
    {
      kind: 'recommendation_click',
      memberId,
      movieId: 20,
      position: 2,
      context: 'recommendations',
      at: at + 5,
    },
    { kind: 'rating', memberId, movieId: 20, rating: 4, previousRating: null, at: at + 6 },
    { kind: 'rating', memberId, movieId: 20, rating: 5, previousRating: 4, at: at + 7 },
  ];
}

describe('event fields (pure)', () => {
  test('visitor ids are random and recognizable; anything else is refused', () => {
    const a = newVisitorId();
    const b = newVisitorId();
    assert.notEqual(a, b);
    assert.ok(isVisitorId(a) && isVisitorId(b));
    // Drawn from a pool of random bytes: ids stay distinct across its refills.
    const many = Array.from({ length: 1000 }, newVisitorId);
    assert.equal(new Set(many).size, many.length);
    assert.ok(many.every(isVisitorId));
    for (const forged of ['someone@example.org', '203.0.113.9', 'v_short', '', null, 42]) {
      assert.equal(isVisitorId(forged), false, String(forged));
    }
    assert.deepEqual(visitorIdFrom(a), { id: a, isNew: false });
    const fresh = visitorIdFrom('someone@example.org');
    assert.ok(fresh.isNew && isVisitorId(fresh.id));
  });

  test('routes lose query strings and fragments; typed e-mails are removed from text', () => {
    assert.equal(scrubRoute('/movies?q=alice@example.org&page=2'), '/movies');
    assert.equal(scrubRoute('/u/:username#ratings'), '/u/:username');
    assert.equal(scrubText('movies alice@example.org likes'), 'movies [e-mail removed] likes');
    assert.equal(scrubText('x'.repeat(500)).length, 200);
  });

  test('each kind keeps only its own fields', () => {
    const sneaky = {
      kind: 'login_failed',
      email: 'bob@example.org',
      password: 'hunter2hunter2',
      ip: '203.0.113.9',
      visitorId: 'bob@example.org',
    } as unknown as ResearchEvent;
    const row = eventRow(sneaky, T0);
    assert.deepEqual(JSON.parse(row.payload), { reason: 'wrong-credentials' });
    assert.equal(row.visitor_id, null);
    assert.equal(row.user_id, null);
  });

  test('a logged-in member is never linked to their anonymous visitor id', () => {
    const row = eventRow({ kind: 'login', memberId: 7, visitorId: newVisitorId() }, T0);
    assert.equal(row.user_id, 7);
    assert.equal(row.visitor_id, null);
  });

  test('predictions get default positions and rounded values', () => {
    const row = eventRow(
      {
        kind: 'predictions_shown',
        memberId: 1,
        context: 'movie',
        movieIds: [5, 6],
        predictedRatings: [3.123456789, 2],
        modelId: 'als',
        modelVersion: '2026-01-01',
      },
      T0,
    );
    assert.deepEqual(JSON.parse(row.payload), {
      context: 'movie',
      modelId: 'als',
      modelVersion: '2026-01-01',
      experiment: null,
      variant: null,
      movieIds: [5, 6],
      predictedRatings: [3.1235, 2],
      positions: [1, 2],
    });
  });

  test('invalid events are refused with the field named', () => {
    assert.throws(
      () =>
        eventRow(
          { kind: 'rating', memberId: 1, movieId: 1.5, rating: 4, previousRating: null },
          T0,
        ),
      /movieId must be a whole number/,
    );
    assert.throws(
      () =>
        eventRow(
          {
            kind: 'predictions_shown',
            memberId: 1,
            context: 'movie',
            movieIds: [1, 2],
            predictedRatings: [3],
            modelId: 'x',
            modelVersion: 1,
          },
          T0,
        ),
      /same length/,
    );
    assert.throws(() => eventRow({ kind: 'login' } as ResearchEvent, T0), /memberId is required/);
    assert.throws(
      () => eventRow({ kind: 'teleport' } as unknown as ResearchEvent, T0),
      /unknown kind/,
    );
  });
});

describe('event log when the database fails', () => {
  test('a failed flush keeps the events, and the next flush writes them in order', async () => {
    const target = testDatabases[0];
    const db = await target.open();
    try {
      let failNext = true;
      const flaky: Db = {
        ...db,
        kysely: new Proxy(db.kysely, {
          get(real, property) {
            if (property === 'transaction' && failNext) {
              failNext = false;
              return () => ({ execute: async () => Promise.reject(new Error('database is down')) });
            }
            const value: unknown = Reflect.get(real, property, real);
            return typeof value === 'function' ? value.bind(real) : value;
          },
        }),
      };
      const errors: unknown[] = [];
      const log = new EventLog(flaky, {
        flushIntervalMs: 3_600_000,
        writer: 'kysely',
        onError: (e) => errors.push(e),
      });
      for (let i = 0; i < 5; i++) log.record({ kind: 'page', route: `/p${i}`, at: T0 + i });
      log.record({ kind: 'login', at: T0 } as ResearchEvent); // invalid: no member
      await assert.rejects(log.flush(), /database is down/);
      assert.equal(log.stats.queued, 5);
      assert.equal(log.stats.failedFlushes, 1);
      assert.equal(log.stats.invalid, 1);
      log.record({ kind: 'page', route: '/p5', at: T0 + 5 });
      assert.equal(await log.flush(), 6);
      await log.close();
      assert.equal(log.stats.invalid, 1, 'an invalid event is counted once, not again on retry');
      const routes = [];
      for await (const event of readEvents(db)) routes.push(event.data.route);
      assert.deepEqual(routes, ['/p0', '/p1', '/p2', '/p3', '/p4', '/p5']);
    } finally {
      await target.cleanup(db);
    }
  });
});

test('the SQLite writer thread reports failures and recovers once the table exists', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lenslab-events-'));
  const db = await openDatabase(join(dir, 'unmigrated.db'));
  try {
    const log = new EventLog(db, { flushIntervalMs: 3_600_000, writer: 'sqlite-worker' });
    log.record({ kind: 'login', memberId: 1, at: T0 });
    await assert.rejects(log.flush(), /no such table: events/);
    assert.equal(log.stats.queued, 1);
    await migrateToLatest(db);
    assert.equal(await log.flush(), 1);
    await log.close();
    assert.equal((await countEvents(db)).login, 1);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the SQLite writer thread commits in chunks and says how many rows it wrote before a failure', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lenslab-events-'));
  const db = await openDatabase(join(dir, 'chunks.db'));
  const writer = eventWriter(db, 'auto');
  try {
    await migrateToLatest(db);
    const row = (n: number) => ({
      occurred_at_ms: T0 + n,
      kind: 'page',
      user_id: 1,
      visitor_id: null,
      payload: '{}',
    });
    const rows = Array.from({ length: 250 }, (_, n) => row(n));
    // Row 150 breaks the NOT NULL on kind: the first chunk of 100 stays, the second is undone.
    rows[150] = { ...row(150), kind: null as unknown as string };
    const failure = await writer.write(rows).then(
      () => assert.fail('the write should fail'),
      (error: unknown) => error,
    );
    assert.ok(failure instanceof PartialWriteError);
    assert.equal(failure.written, 100);
    assert.match(failure.message, /NOT NULL/);
    const stored = await db.kysely.selectFrom('events').select('occurred_at_ms').execute();
    assert.deepEqual(
      stored.map((r) => Number(r.occurred_at_ms)),
      rows.slice(0, 100).map((r) => r.occurred_at_ms),
    );
  } finally {
    await writer.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const target of testDatabases) {
  describe(`event log on ${target.name}`, { skip: target.skip }, () => {
    let db: Db;
    before(async () => {
      db = await target.open();
    });
    after(async () => {
      if (db) await target.cleanup(db);
    });
    beforeEach(async () => {
      await db.kysely.deleteFrom('events').execute();
    });

    test('records each kind of action with its fields', async () => {
      const visitor = newVisitorId();
      const log = new EventLog(db, { flushIntervalMs: 3_600_000 });
      for (const event of oneOfEach(42, visitor, T0)) log.record(event);
      assert.equal(log.stats.queued, 8);
      assert.equal(
        await countEvents(db).then((c) => c.page),
        0,
        'nothing is written before a flush',
      );
      await log.close();
      assert.equal(log.stats.written, 8);
      const events = [];
      for await (const event of readEvents(db)) events.push(event);
      assert.deepEqual(
        events.map((e) => e.kind),
        [
          'page',
          'login_failed',
          'login',
          'search',
          'predictions_shown',
          'recommendation_click',
          'rating',
          'rating',
        ],
      );
      assert.deepEqual(events[0], {
        id: events[0].id,
        occurredAt: T0,
        kind: 'page',
        memberId: null,
        visitorId: visitor,
        data: { route: '/movies/:id', method: 'GET', status: 200 },
      });
      assert.equal(events[1].visitorId, visitor);
      assert.equal(events[2].memberId, 42);
      assert.deepEqual(events[3].data, { query: 'star wars', resultCount: 7 });
      assert.deepEqual(events[4].data, {
        context: 'recommendations',
        modelId: 'item-knn',
        modelVersion: '3',
        experiment: 'rec-algorithm',
        variant: 'knn',
        movieIds: [10, 20, 30],
        predictedRatings: [4.5123, 4.25, 3.5],
        positions: [1, 2, 3],
      });
      assert.deepEqual(events[5].data, { movieId: 20, position: 2, context: 'recommendations' });
      assert.deepEqual(events[7].data, { movieId: 20, rating: 5, previousRating: 4 });
    });

    const writers =
      target.name === 'sqlite'
        ? (['sqlite-worker', 'sqlite', 'kysely'] as const)
        : (['postgres', 'kysely'] as const);
    for (const writer of writers) {
      test(`the ${writer} writer stores batches larger than one statement, in order`, async () => {
        const log = new EventLog(db, { flushIntervalMs: 3_600_000, writer, rowsPerInsert: 7 });
        for (let i = 0; i < 253; i++) {
          log.record({
            kind: 'rating',
            memberId: 1 + (i % 3),
            movieId: i,
            rating: 1 + (i % 5),
            previousRating: null,
            at: T0 + i,
          });
        }
        assert.equal(await log.flush(), 253);
        log.record({ kind: 'login', memberId: 9, at: T0 + 1000 });
        await log.close();
        const stored = [];
        for await (const event of readEvents(db)) stored.push(event);
        assert.equal(stored.length, 254);
        assert.deepEqual(
          stored
            .slice(0, 253)
            .map((e) => [e.occurredAt, e.memberId, e.data.movieId, e.data.rating]),
          Array.from({ length: 253 }, (_, i) => [T0 + i, 1 + (i % 3), i, 1 + (i % 5)]),
        );
        assert.equal(stored[253].kind, 'login');
      });
    }

    test("a flush never lands inside another caller's transaction", async () => {
      const log = new EventLog(db, { flushIntervalMs: 3_600_000 });
      log.record({ kind: 'login', memberId: 1, at: T0 });
      let flushing: Promise<number> | null = null;
      await assert.rejects(
        db.kysely.transaction().execute(async (trx) => {
          await trx
            .insertInto('events')
            .values({
              occurred_at_ms: T0,
              kind: 'search',
              user_id: 2,
              visitor_id: null,
              payload: '{}',
            })
            .execute();
          flushing = log.flush();
          await new Promise((resolve) => setTimeout(resolve, 20));
          throw new Error('rolled back');
        }),
        /rolled back/,
      );
      assert.equal(await flushing, 1);
      await log.close();
      const counts = await countEvents(db);
      assert.equal(counts.login, 1, 'the flushed event survived the rollback');
      assert.equal(counts.search, 0, 'the rolled-back insert is gone');
    });

    test('the size threshold flushes without waiting for the timer, in multi-row chunks', async () => {
      const log = new EventLog(db, { flushIntervalMs: 3_600_000, batchSize: 10, rowsPerInsert: 4 });
      for (let i = 0; i < 10; i++) log.record({ kind: 'page', route: `/r${i}`, at: T0 + i });
      await eventually(() => log.stats.written === 10);
      assert.equal(log.stats.queued, 0);
      assert.equal((await countEvents(db)).page, 10);
      await log.close();
    });

    test('the timer flushes what is queued', async () => {
      const log = new EventLog(db, { flushIntervalMs: 10, batchSize: 1000 });
      log.record({ kind: 'login', memberId: 3 });
      await eventually(() => log.stats.written === 1);
      await log.close();
      assert.equal((await countEvents(db)).login, 1);
    });

    test('close() writes everything still queued; later events are dropped and counted', async () => {
      const log = new EventLog(db, { flushIntervalMs: 3_600_000, batchSize: 100_000 });
      for (let i = 0; i < 1234; i++)
        log.record({
          kind: 'search',
          memberId: 1 + (i % 7),
          query: `q${i}`,
          resultCount: i,
          at: T0 + i,
        });
      await log.close();
      assert.equal((await countEvents(db)).search, 1234);
      log.record({ kind: 'login', memberId: 1 });
      assert.equal(log.stats.dropped, 1);
      assert.equal((await countEvents(db)).login, 0);
    });

    test('a full queue drops new events instead of growing without bound', async () => {
      const log = new EventLog(db, { flushIntervalMs: 3_600_000, batchSize: 1000, maxQueued: 3 });
      for (let i = 0; i < 5; i++) log.record({ kind: 'login', memberId: 1, at: T0 + i });
      assert.equal(log.stats.queued, 3);
      assert.equal(log.stats.dropped, 2);
      await log.close();
    });

    test('invalid events are dropped and reported, the rest of the batch is written', async () => {
      const errors: unknown[] = [];
      const log = new EventLog(db, { flushIntervalMs: 3_600_000, onError: (e) => errors.push(e) });
      log.record({ kind: 'login', memberId: 1, at: T0 });
      log.record({
        kind: 'rating',
        memberId: 1,
        movieId: Number.NaN,
        rating: 3,
        previousRating: null,
        at: T0,
      });
      log.record({ kind: 'login', memberId: 2, at: T0 });
      await log.close();
      assert.equal(log.stats.invalid, 1);
      assert.match(String(errors[0]), /dropped an invalid rating event: movieId/);
      assert.equal((await countEvents(db)).login, 2);
    });

    test('logging off: record() does nothing', async () => {
      const log = new EventLog(db, { enabled: false });
      log.record({ kind: 'login', memberId: 1 });
      await log.close();
      assert.equal(log.stats.queued, 0);
      assert.equal((await countEvents(db)).login, 0);
    });

    test("deleting an account deletes the member's stored and queued events, nobody else's", async () => {
      const log = new EventLog(db, { flushIntervalMs: 3_600_000 });
      for (const event of oneOfEach(11, newVisitorId(), T0)) log.record(event);
      for (const event of oneOfEach(12, newVisitorId(), T0)) log.record(event);
      await log.flush();
      log.record({ kind: 'login', memberId: 11, at: T0 + 100 });
      log.record({ kind: 'login', memberId: 12, at: T0 + 100 });
      const deleted = await log.deleteMember(11);
      assert.equal(deleted, 6);
      await log.close();
      const remaining = [];
      for await (const event of readEvents(db)) remaining.push(event.memberId);
      assert.ok(!remaining.includes(11));
      assert.equal(remaining.filter((id) => id === 12).length, 7);
      assert.equal(await deleteMemberEvents(db, 12), 7);
    });

    test('retention purges only page rows older than the configured age', async () => {
      const log = new EventLog(db, { flushIntervalMs: 3_600_000 });
      const now = T0 + 100 * DAY;
      log.record({ kind: 'page', route: '/old', at: now - 91 * DAY });
      log.record({ kind: 'page', route: '/recent', at: now - 89 * DAY });
      log.record({ kind: 'login', memberId: 1, at: now - 200 * DAY });
      await log.close();
      assert.equal(await purgePageEvents(db, 90, now), 1);
      const left = [];
      for await (const event of readEvents(db)) left.push(event.data.route ?? event.kind);
      assert.deepEqual(left.sort(), ['/recent', 'login']);
      await assert.rejects(purgePageEvents(db, 0), /must be positive/);
    });

    test('the purge scheduler runs at once and reports what it deleted', async () => {
      const log = new EventLog(db, { flushIntervalMs: 3_600_000 });
      log.record({ kind: 'page', route: '/ancient', at: Date.now() - 400 * DAY });
      await log.close();
      const purged: number[] = [];
      const schedule = schedulePagePurge(db, {
        retentionDays: 30,
        onPurged: (n) => purged.push(n),
      });
      await eventually(() => purged.length === 1);
      schedule.stop();
      assert.deepEqual(purged, [1]);
    });

    test('export: CSV and JSON Lines, time range, paging through many rows', async () => {
      const log = new EventLog(db, { flushIntervalMs: 3_600_000 });
      for (let day = 0; day < 3; day++) {
        for (const event of oneOfEach(100 + day, newVisitorId(), T0 + day * DAY)) log.record(event);
      }
      log.record({
        kind: 'search',
        memberId: 5,
        query: 'amélie, "le fabuleux"\ndestin',
        resultCount: 1,
        at: T0 + 10,
      });
      await log.close();

      const csv = new TextSink();
      const rows = await exportEvents(db, 'csv', csv, { since: T0 + DAY, pageSize: 3 });
      assert.equal(rows, 16);
      const lines = csv.text.trimEnd().split('\n');
      assert.equal(lines[0], CSV_COLUMNS.join(','));
      assert.equal(lines.length, 17);
      assert.match(
        lines[1],
        /^\d+,2026-01-11T12:00:00\.000Z,page,,v_[\w-]{22},\/movies\/:id,GET,200,/,
      );
      assert.ok(
        lines.some(
          (line) =>
            line.includes(',predictions_shown,101,,') &&
            line.includes(',10 20 30,4.5123 4.25 3.5,1 2 3'),
        ),
      );

      const jsonl = new TextSink();
      assert.equal(await exportEvents(db, 'jsonl', jsonl, { until: T0 + DAY }), 9);
      const records = jsonl.text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line));
      const search = records.find((r) => r.kind === 'search' && r.memberId === 5);
      assert.deepEqual(search, {
        id: search.id,
        occurredAt: new Date(T0 + 10).toISOString(),
        kind: 'search',
        memberId: 5,
        visitorId: null,
        query: 'amélie, "le fabuleux"\ndestin',
        resultCount: 1,
      });

      const quoted = new TextSink();
      await exportEvents(db, 'csv', quoted, { since: T0 + 10, until: T0 + 11 });
      assert.ok(quoted.text.includes('"amélie, ""le fabuleux""\ndestin"'));
    });

    test('export of a range with no events: a CSV header only, an empty JSON Lines file', async () => {
      const csv = new TextSink();
      assert.equal(await exportEvents(db, 'csv', csv, { since: T0, until: T0 + DAY }), 0);
      assert.equal(csv.text, `${CSV_COLUMNS.join(',')}\n`);
      const jsonl = new TextSink();
      assert.equal(await exportEvents(db, 'jsonl', jsonl, { since: T0 }), 0);
      assert.equal(jsonl.text, '');
    });
  });
}
