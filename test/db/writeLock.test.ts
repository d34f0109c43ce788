/**
 * SQLite with the event log's writer thread: the server's rating writes sleep the event loop
 * only a few milliseconds waiting for the write lock, and only the writer thread checkpoints
 * while it runs.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { migrateToLatest, openDatabase, type Db } from '../../src/db/connection.ts';
import { eventWriter } from '../../src/services/eventWriters.ts';
import { deleteRating, putRating } from '../../src/services/ratings.ts';
import { addMembers, eventually } from '../research/helpers.ts';

async function withDatabase(run: (db: Db, file: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lenslab-lock-'));
  const file = join(dir, 'lock.db');
  const db = await openDatabase(file);
  try {
    await migrateToLatest(db);
    await addMembers(db, [1]);
    await db.kysely
      .insertInto('movies')
      .values([
        { id: 10, title: 'Ten', year: 1990, genres: 'Drama' },
        { id: 11, title: 'Eleven', year: 1991, genres: 'Comedy' },
      ])
      .execute();
    await run(db, file);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The database as a rating write sees it, counting the write's attempts: on SQLite each attempt
 * takes Kysely's connection once (see onSqliteConnection in src/services/ratings.ts).
 */
function countingAttempts(db: Db): { db: Db; attempts: () => number } {
  let attempts = 0;
  const connection = () => {
    attempts++;
    return db.kysely.connection();
  };
  return {
    db: { ...db, kysely: { connection } as unknown as Db['kysely'] },
    attempts: () => attempts,
  };
}

test('a rating write gives the write lock up while another connection holds it, and retries', async () => {
  await withDatabase(async (db, file) => {
    await putRating(db, 1, 11, 2);
    const other = new SqliteDatabase(file);
    try {
      other.exec('BEGIN IMMEDIATE');
      let settled = false;
      const counted = countingAttempts(db);
      let last = performance.now();
      let longest = 0;
      const ticker = setInterval(() => {
        longest = Math.max(longest, performance.now() - last);
        last = performance.now();
      }, 1);
      const put = putRating(counted.db, 1, 10, 4).finally(() => (settled = true));
      const removal = deleteRating(db, 1, 11);
      // Each attempt fails after a few milliseconds and tries again later, again and again; this
      // polling runs between its attempts, so it never sleeps the event loop for long.
      await eventually(() => counted.attempts() >= 3);
      clearInterval(ticker);
      assert.ok(longest < 200, `the event loop stood still ${longest.toFixed(0)} ms`);
      assert.equal(settled, false, 'the write went through while the lock was held');
      other.exec('COMMIT');
      const { previous, stored } = await put;
      assert.equal(previous, null);
      assert.equal(stored.rating, 4);
      assert.equal(await removal, 2);
      const rows = await db.kysely.selectFrom('ratings').select(['movie_id', 'rating']).execute();
      assert.deepEqual(
        rows.map((r) => [r.movie_id, Number(r.rating)]),
        [[10, 4]],
      );
      // The connection's busy timeout is back for everything else.
      assert.equal(db.sqlite!.pragma('busy_timeout', { simple: true }), 5000);
    } finally {
      other.close();
    }
  });
});

test('while the writer thread runs, it alone checkpoints the write-ahead log', async () => {
  await withDatabase(async (db) => {
    const server = db.sqlite!;
    assert.equal(server.pragma('wal_autocheckpoint', { simple: true }), 1000);
    const writer = eventWriter(db, 'sqlite-worker');
    await writer.write([
      { occurred_at_ms: 1, kind: 'page', user_id: 1, visitor_id: null, payload: '{}' },
    ]);
    assert.equal(server.pragma('wal_autocheckpoint', { simple: true }), 0);
    await writer.close();
    assert.equal(server.pragma('wal_autocheckpoint', { simple: true }), 1000);
  });
});
