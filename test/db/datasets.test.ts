import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { readMl1m, writeMl1m } from '../../src/datasets/ml1m.ts';
import { generateSynthetic } from '../../src/datasets/synthetic.ts';
import {
  countRows,
  importDataset,
  loadDataset,
  DatabaseNotEmptyError,
} from '../../src/services/datasets.ts';
import { seedDemoCatalogIfEmpty } from '../../src/services/demo.ts';
import { testDatabases } from '../helpers/databases.ts';
import { tempDir } from '../helpers/files.ts';

const FILES = ['ratings.dat', 'users.dat', 'movies.dat'];

for (const database of testDatabases) {
  describe(`datasets in the database (${database.name})`, { skip: database.skip }, () => {
    test('generate → import → export gives byte-identical ML-1M files', async () => {
      const db = await database.open();
      try {
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
      } finally {
        await database.cleanup(db);
      }
    });

    test('a non-empty database needs --replace or --merge, and a refused import changes nothing', async () => {
      const db = await database.open();
      try {
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
      } finally {
        await database.cleanup(db);
      }
    });

    test('a failing statement rolls the whole import back', async () => {
      const db = await database.open();
      try {
        await importDataset(
          db,
          generateSynthetic({ users: 30, movies: 100, ratings: 900, seed: 1 }),
          'empty',
        );
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
      const db = await database.open();
      try {
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
      } finally {
        await database.cleanup(db);
      }
    });

    test('loads only consenting members for research, and seeds the demo catalog once', async () => {
      const db = await database.open();
      try {
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
      } finally {
        await database.cleanup(db);
      }
    });
  });
}
