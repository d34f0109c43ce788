import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { readMl1m, writeMl1m } from '../../src/datasets/ml1m.ts';
import { readMlLatest } from '../../src/datasets/mlLatest.ts';
import { writeMlLatest } from '../../src/datasets/mlLatestWriter.ts';
import { readDataset } from '../../src/datasets/read.ts';
import { generateSynthetic } from '../../src/datasets/synthetic.ts';
import type { Db } from '../../src/db/connection.ts';
import { registerMember } from '../../src/services/accounts.ts';
import {
  countRows,
  importDataset,
  DatabaseNotEmptyError,
  WebMembersInDatasetError,
} from '../../src/services/datasets.ts';
import { loadDataset } from '../../src/services/datasetLoading.ts';
import { seedDemoCatalogIfEmpty } from '../../src/services/demo.ts';
import { Vault } from '../../src/services/vault.ts';
import { testDatabases, type TestDatabase, withFreshDatabase } from '../helpers/databases.ts';
import { tempDir, writeFolder } from '../helpers/files.ts';

const FILES = ['ratings.dat', 'users.dat', 'movies.dat'];

/** Canonical ml-latest files: UTF-8 titles with commas and quotes, half stars, no genres. */
const ML_LATEST: Record<string, string> = {
  'movies.csv': [
    'movieId,title,genres',
    '1,Amélie (2001),Comedy|Romance',
    '2,"Bad, Good and Ugly, The (1966)",Western',
    '3,"""Great Performances"" Cats (1998)",Musical',
    '4,Ghost in the Shell: S.A.C. 2nd GIG – 攻殻機動隊,(no genres listed)',
    '5,Nobody Rated Me (2020),Drama',
    '',
  ].join('\n'),
  'ratings.csv': [
    'userId,movieId,rating,timestamp',
    '1,1,4.0,964982703',
    '1,2,0.5,964981247',
    '1,3,3.5,964982224',
    '2,1,5.0,1445714835',
    '2,4,2.5,1445715340',
    '',
  ].join('\n'),
};

/** Every row of the tables an import writes, in a fixed order. */
async function contents(db: Db) {
  return {
    movies: await db.kysely.selectFrom('movies').selectAll().orderBy('id').execute(),
    users: await db.kysely.selectFrom('users').selectAll().orderBy('id').execute(),
    ratings: await db.kysely
      .selectFrom('ratings')
      .selectAll()
      .orderBy('user_id')
      .orderBy('movie_id')
      .execute(),
  };
}

/** A fresh database holding a small synthetic dataset. */
async function openWithSynthetic(database: TestDatabase): Promise<Db> {
  const db = await database.open();
  await importDataset(
    db,
    generateSynthetic({ users: 30, movies: 100, ratings: 900, seed: 1 }),
    'empty',
  );
  return db;
}

for (const database of testDatabases) {
  describe(`datasets in the database (${database.name})`, { skip: database.skip }, () => {
    test('generate → import → export gives byte-identical ML-1M files', async () => {
      await withFreshDatabase(database, async (db) => {
        const generated = tempDir();
        writeMl1m(
          generateSynthetic({ users: 120, movies: 400, ratings: 6000, seed: 11 }),
          generated,
        );
        const summary = await importDataset(db, await readMl1m(generated), 'empty');
        assert.deepEqual(summary, { movies: 400, users: 120, ratings: 6000 });
        const exported = tempDir();
        writeMl1m(await loadDataset(db), exported);
        for (const name of FILES)
          assert.deepEqual(
            readFileSync(join(exported, name)),
            readFileSync(join(generated, name)),
            name,
          );
      });
    });

    test("the catalog's statistics read a covering index, after the migrations and after a bulk import", async () => {
      await withFreshDatabase(database, async (db) => {
        const indexes = async () => {
          const query =
            db.dialect === 'sqlite'
              ? sql<{ name: string; definition: string }>`SELECT name, sql AS definition
                  FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ratings' AND sql IS NOT NULL`
              : sql<{ name: string; definition: string }>`SELECT indexname AS name,
                  indexdef AS definition FROM pg_indexes
                  WHERE tablename = 'ratings' AND schemaname = ${db.schema!}`;
          const rows = (await query.execute(db.kysely)).rows;
          return new Map(
            rows.map((row) => [row.name, row.definition.replace(/"/g, '').replace(/\s+/g, ' ')]),
          );
        };
        for (const when of ['migrated', 'imported']) {
          if (when === 'imported')
            await importDataset(
              db,
              generateSynthetic({ users: 50, movies: 80, ratings: 1500, seed: 3 }),
              'empty',
            );
          const found = await indexes();
          assert.match(found.get('ratings_movie_rating') ?? '', /\(movie_id, rating\)/, when);
          assert.ok(!found.has('ratings_movie'), when);
          if (db.dialect === 'sqlite') {
            const plan = db
              .sqlite!.prepare(
                'EXPLAIN QUERY PLAN SELECT movie_id, rating, count(*) FROM ratings GROUP BY movie_id, rating',
              )
              .all() as Array<{ detail: string }>;
            assert.ok(
              plan.some((step) => step.detail.includes('COVERING INDEX ratings_movie_rating')),
              `${when}: ${JSON.stringify(plan)}`,
            );
          }
        }
      });
    });

    test('a non-empty database needs --replace or --merge, and a refused import changes nothing', async () => {
      await withFreshDatabase(database, async (db) => {
        const first = generateSynthetic({ users: 30, movies: 100, ratings: 900, seed: 1 });
        await importDataset(db, first, 'empty');
        const before = await countRows(db);
        await assert.rejects(
          importDataset(
            db,
            generateSynthetic({ users: 30, movies: 100, ratings: 900, seed: 2 }),
            'empty',
          ),
          DatabaseNotEmptyError,
        );
        assert.deepEqual(await countRows(db), before);

        // A dataset rating a movie missing from its catalog is refused before anything is written.
        const broken = generateSynthetic({ users: 30, movies: 100, ratings: 900, seed: 3 });
        broken.movies = broken.movies.slice(1);
        await assert.rejects(
          importDataset(db, broken, 'replace'),
          /movie 1 is rated but missing from the catalog/,
        );
        assert.deepEqual(await countRows(db), before);

        const replacement = generateSynthetic({ users: 40, movies: 120, ratings: 1000, seed: 4 });
        await importDataset(db, replacement, 'replace');
        assert.deepEqual(await countRows(db), { movies: 120, users: 40, ratings: 1000 });
      });
    });

    test('refused files change nothing, even under replace', async () => {
      const db = await openWithSynthetic(database);
      try {
        const before = await contents(db);
        const flags = Array.from({ length: 19 }, () => '0').join('|');
        const valid = {
          'u.item': `1|A (1995)|||x|${flags}\n`,
          'u.user': '7|31|F|other|55414\n',
          'u.data': '7\t1\t4\t881250949\n',
        };
        const bad: Array<[Record<string, string>, RegExp]> = [
          [{ 'u.data': '' }, /^u\.data: no ratings$/],
          [
            { 'u.data': '7\t1\t4\t881250949\n7\t99999\t4\t881250949\n' },
            /^u\.data:2: movie 99999 is not in u\.item$/,
          ],
          [{ 'u.data': '7\t1\t4\t88043' }, /^u\.data:1: the last line is cut short/],
          [
            { 'u.item': `1|A\0 (1995)|||x|${flags}\n` },
            /^u\.item:1: title contains a control character \(U\+0000\)$/,
          ],
        ];
        for (const [files, message] of bad) {
          const dir = writeFolder({ ...valid, ...files });
          await assert.rejects(
            readDataset(dir, 'ml-100k').then((dataset) => importDataset(db, dataset, 'replace')),
            (error: Error) => {
              assert.match(error.message, message);
              return true;
            },
          );
          assert.deepEqual(await contents(db), before);
        }
        // A dataset built in code without ratings is refused too.
        const empty = await readDataset(writeFolder(valid), 'ml-100k');
        empty.ratings = { ...empty.ratings, length: 0 };
        await assert.rejects(importDataset(db, empty, 'replace'), /the dataset has no ratings/);
        assert.deepEqual(await contents(db), before);
      } finally {
        await database.cleanup(db);
      }
    });

    test('merge refuses imported ids that are web members, and changes nothing', async () => {
      const db = await openWithSynthetic(database);
      try {
        const vault = new Vault({ secret: 'test secret: not for production use' });
        const member = await registerMember(db, vault, {
          email: 'member@example.org',
          password: 'a long enough password',
        });
        assert.ok(member !== null);
        await db.kysely
          .insertInto('ratings')
          .values({ user_id: member, movie_id: 1, rating: 4, rated_at: 1_700_000_000 })
          .execute();
        const before = await contents(db);
        // User 1 of the dataset is an imported user; the other one has the member's id.
        const dataset = await readMl1m(
          writeFolder({
            'movies.dat': '1::A (1995)::Drama\n2::B (1996)::Comedy\n',
            'users.dat': `1::M::25::3::55414\n${member}::F::56::9::10001\n`,
            'ratings.dat': `1::2::3::978300760\n${member}::1::2::978300760\n${member}::2::5::978300761\n`,
          }),
        );
        await assert.rejects(importDataset(db, dataset, 'merge'), (error: Error) => {
          assert.ok(error instanceof WebMembersInDatasetError);
          assert.deepEqual(error.ids, [member]);
          assert.match(
            error.message,
            new RegExp(`^users ${member} of the dataset are web members`),
          );
          return true;
        });
        assert.deepEqual(await contents(db), before);
      } finally {
        await database.cleanup(db);
      }
    });

    test('ml-latest: import → export gives the canonical files; importing them again, the same database', async () => {
      const db = await database.open();
      const again = await database.open();
      try {
        await importDataset(db, await readMlLatest(writeFolder(ML_LATEST, 'utf8')), 'empty');
        const exported = tempDir();
        writeMlLatest(await loadDataset(db), exported);
        for (const [name, content] of Object.entries(ML_LATEST))
          assert.equal(readFileSync(join(exported, name), 'utf8'), content, name);
        await importDataset(again, await readMlLatest(exported), 'empty');
        assert.deepEqual(await contents(again), await contents(db));

        // ML-1M is ISO-8859-1: the writer names the format that fits, and writes nothing.
        const ml1m = tempDir();
        const dataset = await loadDataset(db);
        assert.throws(
          () => writeMl1m(dataset, ml1m),
          /^DatasetError: movies\.dat:4: "–" cannot be written in ISO-8859-1 \(use --format ml-latest\)$/,
        );
        assert.deepEqual(readdirSync(ml1m), []);
      } finally {
        await database.cleanup(db);
        await database.cleanup(again);
      }
    });

    test('a failing statement rolls the whole import back', async () => {
      const db = await openWithSynthetic(database);
      try {
        const before = await countRows(db);
        const dataset = generateSynthetic({ users: 30, movies: 100, ratings: 900, seed: 2 });
        dataset.movies[5] = { ...dataset.movies[5], title: null as unknown as string }; // violates NOT NULL mid-way
        await assert.rejects(importDataset(db, dataset, 'replace'));
        assert.deepEqual(await countRows(db), before);
      } finally {
        await database.cleanup(db);
      }
    });

    test('merge updates existing ratings and adds new ones', async () => {
      await withFreshDatabase(database, async (db) => {
        const dataset = generateSynthetic({ users: 30, movies: 100, ratings: 900, seed: 1 });
        await importDataset(db, dataset, 'empty');
        const row = await db.kysely
          .selectFrom('ratings')
          .selectAll()
          .orderBy('user_id')
          .orderBy('movie_id')
          .executeTakeFirstOrThrow();
        const changed = row.rating === 5 ? 1 : 5;
        await db.kysely
          .updateTable('ratings')
          .set({ rating: changed })
          .where('user_id', '=', row.user_id)
          .where('movie_id', '=', row.movie_id)
          .execute();
        await importDataset(db, dataset, 'merge');
        const after = await db.kysely
          .selectFrom('ratings')
          .selectAll()
          .where('user_id', '=', row.user_id)
          .where('movie_id', '=', row.movie_id)
          .executeTakeFirstOrThrow();
        assert.equal(after.rating, row.rating);
        assert.equal((await countRows(db)).ratings, 900);
      });
    });

    test('loads only consenting members for research, and seeds the demo catalog once', async () => {
      await withFreshDatabase(database, async (db) => {
        const seeded = await seedDemoCatalogIfEmpty(db);
        assert.ok(seeded && seeded.movies >= 1000 && seeded.users >= 100);
        assert.equal(await seedDemoCatalogIfEmpty(db), null);
        const all = await loadDataset(db);
        const someone = all.ratings.userIds.ids[0];
        await db.kysely
          .updateTable('users')
          .set({ research_consent: 0 })
          .where('id', '=', someone)
          .execute();
        const research = await loadDataset(db, { consentingOnly: true });
        assert.equal(research.ratings.userIds.has(someone), false);
        assert.equal(research.ratings.userIds.size, all.ratings.userIds.size - 1);
        assert.ok(!research.users.some((u) => u.id === someone));
      });
    });
  });
}
