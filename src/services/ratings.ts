/**
 * A member's ratings (half stars 0.5–5 from the web site): the workflows `rateMovie` and
 * `removeRating` (the database with the change log's note, then every listener of MemberChanges
 * once), and the storage.
 *
 * Setting and removing a rating are on the site's hot path (serve-mix: 10% of requests). On
 * SQLite they run as statements prepared once per connection, in one synchronous IMMEDIATE
 * transaction, inside Kysely's connection mutex so they never land inside another caller's open
 * transaction; Kysely's query building and per-call statement preparation cost several times the
 * work itself. While another connection (the event log's writer thread) holds the write lock,
 * they wait inside SQLite only briefly (WRITE_LOCK_WAIT_MS: its busy handler sleeps the whole
 * event loop, 1 ms then 2 ms), about one chunk of the writer's; then they give the lock up and
 * try again a millisecond later, serving other requests meanwhile. PostgreSQL goes through Kysely.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type SqliteDatabase from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { HALF_STARS, onScale } from '../datasets/dataset.ts';
import type { Db } from '../db/connection.ts';
import type { Database } from '../db/schema.ts';
import type { Catalog } from './catalog.ts';
import { nowSeconds } from './clock.ts';
import { invalid, notFound } from './errors.ts';
import { writeNote, writeNoteSync } from './changeLog.ts';
import type { ChangeNote, MemberChanges } from './memberChanges.ts';

/** What a valid rating is, as error messages say it. */
export const RATING_RULE = 'must be 0.5 to 5 in half stars (0.5, 1, 1.5 … 5)';

export interface StoredRating {
  movieId: number;
  rating: number;
  ratedAt: number;
}

interface SqliteRatingStatements {
  /** Sets a rating; returns the previous one (null if none). */
  put: (
    userId: number,
    movieId: number,
    rating: number,
    ratedAt: number,
    node: string | null,
  ) => number | null;
  /** Removes a rating; returns it (null if there was none). */
  remove: (userId: number, movieId: number, node: string | null) => number | null;
}

const sqliteStatements = new WeakMap<SqliteDatabase.Database, SqliteRatingStatements>();

/** How long a rating write keeps trying while another connection holds the write lock. */
const WRITE_LOCK_PATIENCE_MS = 5000;
/**
 * How long one attempt waits inside SQLite for the lock. The writer thread holds it for one chunk
 * (a millisecond or two; longer when the machine's cores are busy, and the sleep frees one). A
 * try again later waits a whole turn of a busy event loop instead, tens of milliseconds, often
 * more than once: serve-mix measured a third of the rating writes doing so, its p99 latency.
 */
const WRITE_LOCK_WAIT_MS = 3;

function statementsOf(sqlite: SqliteDatabase.Database): SqliteRatingStatements {
  let statements = sqliteStatements.get(sqlite);
  if (!statements) {
    const select = sqlite.prepare<[number, number], { rating: number }>(
      'SELECT rating FROM ratings WHERE user_id = ? AND movie_id = ?',
    );
    const upsert = sqlite.prepare<[number, number, number, number]>(
      'INSERT INTO ratings (user_id, movie_id, rating, rated_at) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (user_id, movie_id) DO UPDATE SET rating = excluded.rating, rated_at = excluded.rated_at',
    );
    const remove = sqlite.prepare<[number, number]>(
      'DELETE FROM ratings WHERE user_id = ? AND movie_id = ?',
    );
    const put = sqlite.transaction(
      (userId: number, movieId: number, rating: number, ratedAt: number, node: string | null) => {
        const old = select.get(userId, movieId);
        const previous = old ? Number(old.rating) : null;
        upsert.run(userId, movieId, rating, ratedAt);
        if (node !== null)
          writeNoteSync(sqlite, node, ratingNote(userId, movieId, rating, previous, ratedAt));
        return previous;
      },
    );
    const removeRating = sqlite.transaction(
      (userId: number, movieId: number, node: string | null) => {
        const old = select.get(userId, movieId);
        if (!old) return null;
        remove.run(userId, movieId);
        const previous = Number(old.rating);
        if (node !== null)
          writeNoteSync(sqlite, node, ratingNote(userId, movieId, null, previous, 0));
        return previous;
      },
    );
    // The connection's busy timeout is shortened for one attempt (see the file comment). SQLite
    // applies this pragma when it is prepared as well as when run: read the setting first, and
    // prepare the statement that gives it back last.
    const patience = Number(sqlite.pragma('busy_timeout', { simple: true }));
    const waitNot = sqlite.prepare(`PRAGMA busy_timeout = ${WRITE_LOCK_WAIT_MS}`);
    const waitAgain = sqlite.prepare(`PRAGMA busy_timeout = ${patience}`);
    const withoutWaiting = <T>(job: () => T): T => {
      waitNot.get();
      try {
        return job();
      } finally {
        waitAgain.get();
      }
    };
    statements = {
      put: (userId, movieId, rating, ratedAt, node) =>
        withoutWaiting(() => put.immediate(userId, movieId, rating, ratedAt, node)),
      remove: (userId, movieId, node) =>
        withoutWaiting(() => removeRating.immediate(userId, movieId, node)),
    };
    sqliteStatements.set(sqlite, statements);
  }
  return statements;
}

/**
 * Runs a synchronous SQLite write while holding Kysely's single connection; while another
 * connection holds the write lock (SQLITE_BUSY), tries again a millisecond later.
 */
async function onSqliteConnection<T>(db: Db, job: (sqlite: SqliteDatabase.Database) => T) {
  const started = Date.now();
  for (;;) {
    try {
      return await db.kysely.connection().execute(async () => job(db.sqlite!));
    } catch (error) {
      const busy = (error as { code?: string }).code === 'SQLITE_BUSY';
      if (!busy || Date.now() - started > WRITE_LOCK_PATIENCE_MS) throw error;
    }
    await sleep(1);
  }
}

function ratingNote(
  memberId: number,
  movieId: number,
  rating: number | null,
  previousRating: number | null,
  ratedAt: number,
): ChangeNote {
  return { kind: 'rating', change: { memberId, movieId, rating, previousRating, ratedAt } };
}

/**
 * Sets a rating; returns the previous rating (null if none) and the stored one. `node`: the app
 * node whose change note (changeLog.ts) the same transaction writes; null for none.
 */
export async function putRating(
  db: Db,
  userId: number,
  movieId: number,
  rating: number,
  node: string | null = null,
): Promise<{ previous: number | null; stored: StoredRating }> {
  const ratedAt = nowSeconds();
  const stored = { movieId, rating, ratedAt };
  if (db.sqlite) {
    const previous = await onSqliteConnection(db, (sqlite) =>
      statementsOf(sqlite).put(userId, movieId, rating, ratedAt, node),
    );
    return { previous, stored };
  }
  return db.kysely.transaction().execute(async (trx) => {
    const previous = await ratingIn(trx, userId, movieId);
    await trx
      .insertInto('ratings')
      .values({ user_id: userId, movie_id: movieId, rating, rated_at: ratedAt })
      .onConflict((oc) =>
        oc.columns(['user_id', 'movie_id']).doUpdateSet({ rating, rated_at: ratedAt }),
      )
      .execute();
    if (node !== null)
      await writeNote(trx, node, ratingNote(userId, movieId, rating, previous, ratedAt));
    return { previous, stored };
  });
}

/** Removes a rating; returns the removed rating, or null when there was none (`node`: putRating). */
export async function deleteRating(
  db: Db,
  userId: number,
  movieId: number,
  node: string | null = null,
): Promise<number | null> {
  if (db.sqlite)
    return onSqliteConnection(db, (sqlite) => statementsOf(sqlite).remove(userId, movieId, node));
  return db.kysely.transaction().execute(async (trx) => {
    const previous = await ratingIn(trx, userId, movieId);
    if (previous === null) return null;
    await trx
      .deleteFrom('ratings')
      .where('user_id', '=', userId)
      .where('movie_id', '=', movieId)
      .execute();
    if (node !== null) await writeNote(trx, node, ratingNote(userId, movieId, null, previous, 0));
    return previous;
  });
}

/** A member's rating of a movie, or null (the PostgreSQL path passes its transaction). */
export async function ratingIn(
  trx: Kysely<Database>,
  userId: number,
  movieId: number,
): Promise<number | null> {
  const row = await trx
    .selectFrom('ratings')
    .select('rating')
    .where('user_id', '=', userId)
    .where('movie_id', '=', movieId)
    .executeTakeFirst();
  return row ? Number(row.rating) : null;
}

/** All of a member's ratings, newest first (also inside a transaction: pass it). */
export async function ratingsOf(
  executor: Kysely<Database>,
  userId: number,
): Promise<StoredRating[]> {
  const rows = await executor
    .selectFrom('ratings')
    .select(['movie_id', 'rating', 'rated_at'])
    .where('user_id', '=', userId)
    .orderBy('rated_at', 'desc')
    .orderBy('movie_id')
    .execute();
  return rows.map((r) => ({
    movieId: r.movie_id,
    rating: Number(r.rating),
    ratedAt: Number(r.rated_at),
  }));
}

export interface RatingWorkflow {
  db: Db;
  catalog: Catalog;
  changes: MemberChanges;
}

/**
 * Rates a movie (half stars 0.5–5); invalid for a rating off that grid, not-found for a movie
 * the catalog does not hold.
 */
export async function rateMovie(
  { db, catalog, changes }: RatingWorkflow,
  memberId: number,
  movieId: number,
  rating: number,
): Promise<StoredRating> {
  if (typeof rating !== 'number' || !onScale(rating, HALF_STARS))
    throw invalid(`rating: ${RATING_RULE}, got ${String(rating)}`);
  if (catalog.indexOf(movieId) < 0) throw notFound(`movie ${movieId} does not exist`);
  const { previous, stored } = await putRating(db, memberId, movieId, rating, changes.node);
  changes.ratingChanged({
    memberId,
    movieId,
    rating: stored.rating,
    previousRating: previous,
    ratedAt: stored.ratedAt,
  });
  return stored;
}

/** Removes the member's rating of a movie; not-found when they have not rated it. */
export async function removeRating(
  { db, changes }: RatingWorkflow,
  memberId: number,
  movieId: number,
): Promise<void> {
  const previous = await deleteRating(db, memberId, movieId, changes.node);
  if (previous === null) throw notFound(`you have not rated movie ${movieId}`);
  changes.ratingChanged({ memberId, movieId, rating: null, previousRating: previous, ratedAt: 0 });
}
