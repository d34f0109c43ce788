import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Dataset } from '../../src/datasets/dataset.ts';
import { writeMl1m } from '../../src/datasets/ml1m.ts';
import { generateSynthetic } from '../../src/datasets/synthetic.ts';
import type { Db } from '../../src/db/connection.ts';
import { copyFrom, copyLine, inPostgresTransaction } from '../../src/db/pgCopy.ts';
import { importDataset } from '../../src/services/datasets.ts';
import { loadDataset } from '../../src/services/datasetLoading.ts';
import { testDatabases, withFreshDatabase } from '../helpers/databases.ts';
import { tempDir } from '../helpers/files.ts';

const postgres = testDatabases.find((database) => database.name === 'postgres')!;
const LENSLAB = new URL('../../bin/lenslab', import.meta.url).pathname;

/** Enough lines for many CopyData messages (each about 256 K characters). */
const LINES = 60_000;

async function countCopied(db: Db): Promise<number> {
  return (await db.pgPool!.query<{ n: number }>('SELECT count(*)::int AS n FROM copied')).rows[0].n;
}

describe('COPY FROM STDIN (PostgreSQL)', { skip: postgres.skip }, () => {
  test('sends every line in many messages; escapes and nulls come back as they were', async () => {
    await withFreshDatabase(postgres, async (db) => {
      const rows = Array.from({ length: LINES }, (_, i) => [
        i,
        i % 7 === 0 ? null : `back\\slash\ttab\nnew\rreturn "é" \\N ${i}`,
      ]);
      const sent: number[] = [];
      const stored = await inPostgresTransaction(db.pgPool!, async (client) => {
        await client.query('CREATE TABLE copied (id integer, text text)');
        return copyFrom(client, 'COPY copied (id, text) FROM STDIN', rows.map(copyLine), (n) =>
          sent.push(n),
        );
      });
      assert.equal(stored, LINES);
      assert.ok(sent.length > 5, `${sent.length} messages`);
      assert.equal(sent.at(-1), LINES);
      const back = await db.pgPool!.query('SELECT id, text FROM copied ORDER BY id');
      assert.deepEqual(
        back.rows.map((row) => [row.id, row.text]),
        rows,
      );
    });
  });

  test('a line the server refuses fails the COPY naming that line; the client rolls back and goes on', async () => {
    await withFreshDatabase(postgres, async (db) => {
      await db.pgPool!.query('CREATE TABLE copied (id integer, text text)');
      const bad = 45_001;
      const lines = Array.from({ length: LINES }, (_, i) =>
        i + 1 === bad ? 'x\tbad\n' : copyLine([i, 'fine']),
      );
      const client = await db.pgPool!.connect();
      try {
        await client.query('BEGIN');
        await assert.rejects(
          copyFrom(client, 'COPY copied (id, text) FROM STDIN', lines),
          /invalid input syntax for type integer: "x" \(COPY copied, line 45001, column id: "x"\)/,
        );
        await client.query('ROLLBACK');
        assert.equal((await client.query('SELECT 1 AS one')).rows[0].one, 1);
      } finally {
        client.release();
      }
      assert.equal(await countCopied(db), 0);
    });
  });

  test('an error from the lines aborts the COPY with that error, and nothing is stored', async () => {
    await withFreshDatabase(postgres, async (db) => {
      await db.pgPool!.query('CREATE TABLE copied (id integer, text text)');
      function* lines() {
        for (let i = 0; i < LINES; i++) {
          if (i === 25_000) throw new Error('the source broke at 25000');
          yield copyLine([i, 'fine']);
        }
      }
      await assert.rejects(
        inPostgresTransaction(db.pgPool!, (client) =>
          copyFrom(client, 'COPY copied (id, text) FROM STDIN', lines()),
        ),
        /^Error: the source broke at 25000$/,
      );
      assert.equal(await countCopied(db), 0);
      // The pool's clients still work (none was left in copy mode).
      assert.equal((await db.pgPool!.query('SELECT 2 AS two')).rows[0].two, 2);
    });
  });
});

/** Every row an import writes, sorted. */
async function tables(db: Db) {
  const query = async (text: string) => (await db.pgPool!.query(text)).rows;
  return {
    movies: await query('SELECT id, title, year, genres, added_at FROM movies ORDER BY id'),
    users: await query(
      'SELECT id, created_at, gender, age, occupation, zip, origin, research_consent FROM users ORDER BY id',
    ),
    ratings: await query(
      'SELECT user_id, movie_id, rating, rated_at FROM ratings ORDER BY user_id, movie_id',
    ),
  };
}

/** The dataset's ratings as the rows the ratings table should hold. */
function ratingRows(dataset: Dataset) {
  const { ratings } = dataset;
  return Array.from({ length: ratings.length }, (_, r) => ({
    user_id: ratings.userIds.ids[ratings.userIndex[r]],
    movie_id: ratings.itemIds.ids[ratings.itemIndex[r]],
    rating: ratings.rating[r],
    rated_at: ratings.timestamp[r],
  })).sort((a, b) => a.user_id - b.user_id || a.movie_id - b.movie_id);
}

/** Imports a small dataset into `db`; its tables as they then are. */
async function seedSmall(db: Db) {
  const small = generateSynthetic({ users: 40, movies: 100, ratings: 1000, seed: 1 });
  await importDataset(db, small, 'empty');
  return tables(db);
}

describe('import into PostgreSQL by COPY', { skip: postgres.skip }, () => {
  test('the tables equal the source: every rating, and titles and demographics with awkward text', async () => {
    await withFreshDatabase(postgres, async (db) => {
      const dataset = generateSynthetic({ users: 500, movies: 1200, ratings: LINES, seed: 5 });
      dataset.movies[0] = { ...dataset.movies[0], title: 'Tab\there, back\\slash, "quotes"' };
      dataset.movies[1] = { ...dataset.movies[1], title: 'Ünïcödé – 攻殻機動隊', year: null };
      dataset.users[0] = { ...dataset.users[0], gender: null, age: null, zip: null };
      dataset.ratings.rating[3] = 3.5;
      const summary = await importDataset(db, dataset, 'empty');
      assert.deepEqual(summary, { movies: 1200, users: 500, ratings: LINES });
      const stored = await tables(db);
      assert.deepEqual(stored.ratings, ratingRows(dataset));
      // Read back by COPY TO STDOUT (loadDataset), the same ratings again.
      assert.deepEqual(ratingRows(await loadDataset(db)), ratingRows(dataset));
      const movies = new Map(stored.movies.map((m) => [m.id, m]));
      for (const movie of dataset.movies) {
        const row = movies.get(movie.id)!;
        assert.deepEqual(
          [row.title, row.year, row.genres],
          [movie.title, movie.year, movie.genres.join('|')],
        );
      }
      const users = new Map(stored.users.map((u) => [u.id, u]));
      for (const user of dataset.users) {
        const row = users.get(user.id)!;
        assert.deepEqual(
          [row.gender, row.age, row.occupation, row.zip, row.origin, row.research_consent],
          [user.gender, user.age, user.occupation, user.zip, 'import', 1],
        );
      }

      // A merge through the staging tables: changed ratings are updated, new ones added.
      const changed = generateSynthetic({ users: 500, movies: 1200, ratings: LINES, seed: 6 });
      await importDataset(db, changed, 'merge');
      const merged = new Map(
        [...ratingRows(dataset), ...ratingRows(changed)].map((r) => [
          `${r.user_id} ${r.movie_id}`,
          r,
        ]),
      );
      assert.deepEqual(
        (await tables(db)).ratings,
        [...merged.values()].sort((a, b) => a.user_id - b.user_id || a.movie_id - b.movie_id),
      );
    });
  });

  test('a row the database refuses in the middle of the ratings leaves every table unchanged', async () => {
    await withFreshDatabase(postgres, async (db) => {
      const before = await seedSmall(db);
      const dataset = generateSynthetic({ users: 500, movies: 1200, ratings: LINES, seed: 7 });
      // A rule of this database (not dropped by the import) that refuses the 40,000th rating.
      const { ratings } = dataset;
      const r = 39_999;
      const [user, movie] = [
        ratings.userIds.ids[ratings.userIndex[r]],
        ratings.itemIds.ids[ratings.itemIndex[r]],
      ];
      await db.pgPool!.query(
        `ALTER TABLE ratings ADD CONSTRAINT refuse_one CHECK (NOT (user_id = ${user} AND movie_id = ${movie}))`,
      );
      await assert.rejects(
        importDataset(db, dataset, 'replace'),
        /violates check constraint "refuse_one" \(COPY ratings, line 40000: /,
      );
      assert.deepEqual(await tables(db), before);
    });
  });

  test('a bad line in the middle of ratings.dat (CLI, --replace): the database is unchanged and the error names the file and line', async () => {
    await withFreshDatabase(postgres, async (db) => {
      const before = await seedSmall(db);
      const dir = tempDir();
      writeMl1m(generateSynthetic({ users: 500, movies: 1200, ratings: LINES, seed: 8 }), dir);
      const file = join(dir, 'ratings.dat');
      const lines = readFileSync(file, 'latin1').split('\n');
      const [user, movie, , timestamp] = lines[29_999].split('::');
      lines[29_999] = `${user}::${movie}::9::${timestamp}`;
      writeFileSync(file, lines.join('\n'), 'latin1');
      const result = spawnSync(
        LENSLAB,
        ['--db', db.location, 'import', '--format', 'ml-1m', '--replace', dir],
        { encoding: 'utf8' },
      );
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stderr, /^lenslab: ratings\.dat:30000: rating "9" is outside /);
      assert.deepEqual(await tables(db), before);
    });
  });
});
