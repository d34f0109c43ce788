import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Migrator, sql } from 'kysely';
import { migrateToLatest, type Db } from '../../src/db/connection.ts';
import { snapToHalfStar } from '../../src/db/migrations/0008_half_stars.ts';
import { migrations } from '../../src/db/migrations/index.ts';
import { Catalog } from '../../src/services/catalog.ts';
import { testDatabases, withFreshDatabase } from '../helpers/databases.ts';

test('snapping: the nearest half star, ties upwards, clamped to 0.5–5', () => {
  const cases: Array<[number, number]> = [
    [4, 4],
    [3.5, 3.5],
    [3.3, 3.5],
    [3.2, 3],
    [3.25, 3.5],
    [0.2, 0.5],
    [0, 0.5],
    [-1, 0.5],
    [7, 5],
    [Infinity, 5],
  ];
  for (const [stored, snapped] of cases) assert.equal(snapToHalfStar(stored), snapped, `${stored}`);
});

test('the catalog: one histogram bar per half star, the exact average', () => {
  const catalog = new Catalog([{ id: 10, title: 'Heat', year: 1995, genres: ['Crime'] }]);
  for (const rating of [0.5, 3.5, 3.5, 4, 5, 4.5]) catalog.applyRatingChange(10, null, rating);
  assert.deepEqual(catalog.histogram(0), [1, 0, 0, 0, 0, 0, 2, 1, 1, 1]);
  assert.equal(catalog.average(0), 21 / 6, 'not rounded: the page rounds it once');
  catalog.applyRatingChange(10, 3.5, 1);
  assert.deepEqual(catalog.histogram(0), [1, 1, 0, 0, 0, 0, 1, 1, 1, 1]);
  assert.equal(catalog.average(0), 18.5 / 6);
  catalog.applyRatingChange(10, 0.5, null);
  assert.deepEqual(catalog.histogram(0), [0, 1, 0, 0, 0, 0, 1, 1, 1, 1]);
  assert.equal(catalog.average(0), 18 / 5);
});

/** One member and two movies to rate, written directly. */
async function seed(db: Db): Promise<void> {
  await db.kysely
    .insertInto('users')
    .values({ id: 1, created_at: 0, research_consent: 1, origin: 'import' })
    .execute();
  await db.kysely
    .insertInto('movies')
    .values([1, 2, 3, 4, 5, 6].map((id) => ({ id, title: `Movie ${id}`, year: 2000, genres: '' })))
    .execute();
}

async function storedRatings(db: Db): Promise<number[]> {
  const rows = await db.kysely.selectFrom('ratings').select('rating').orderBy('movie_id').execute();
  return rows.map((row) => Number(row.rating));
}

for (const database of testDatabases) {
  describe(`migration 0008 half stars (${database.name})`, { skip: database.skip }, () => {
    test('converts stored ratings to the half-star grid, keeping whole stars as they are', async () => {
      await withFreshDatabase(database, async (db) => {
        const migrator = new Migrator({
          db: db.kysely,
          provider: { getMigrations: async () => migrations },
          migrationTableSchema: db.schema,
        });
        // Back to the schema before 0008 (undoing the migrations after it too).
        const down = await migrator.migrateTo('0007_throttles');
        assert.equal(down.error, undefined);
        assert.ok(down.results?.some((r) => r.migrationName === '0008_half_stars'));
        await seed(db);
        const before = [4, 3.3, 3.25, 0.2, 7, 2.5];
        await db.kysely
          .insertInto('ratings')
          .values(before.map((rating, k) => ({ user_id: 1, movie_id: k + 1, rating, rated_at: 1 })))
          .execute();
        await migrateToLatest(db);
        assert.deepEqual(await storedRatings(db), [4, 3.5, 3.5, 0.5, 5, 2.5]);
      });
    });

    test('the database refuses a rating off the grid, on insert and on update', async () => {
      await withFreshDatabase(database, async (db) => {
        await seed(db);
        const insert = (movieId: number, rating: number) =>
          db.kysely
            .insertInto('ratings')
            .values({ user_id: 1, movie_id: movieId, rating, rated_at: 1 })
            .execute();
        for (const rating of [3.3, 0, 5.5, -1, 0.25])
          await assert.rejects(insert(1, rating), /ratings_half_stars/, `${rating}`);
        await insert(1, 0.5);
        await insert(2, 5);
        await assert.rejects(
          sql`UPDATE ratings SET rating = 4.2 WHERE movie_id = 1`.execute(db.kysely),
          /ratings_half_stars/,
        );
        await sql`UPDATE ratings SET rating = 4.5 WHERE movie_id = 1`.execute(db.kysely);
        assert.deepEqual(await storedRatings(db), [4.5, 5]);
      });
    });
  });
}
