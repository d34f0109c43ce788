/** Published models stored in parts (migration 0016, src/services/modelStore.ts). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, test } from 'node:test';
import { Migrator, sql } from 'kysely';
import { migrateToLatest, type Db } from '../../src/db/connection.ts';
import { migrations } from '../../src/db/migrations/index.ts';
import { fitAlgorithm } from '../../src/recsys/index.ts';
import { fetchNewestModels, storeModel } from '../../src/services/modelStore.ts';
import { databaseIdOf, publishModel } from '../../src/services/models.ts';
import { testDatabases, withFreshDatabase } from '../helpers/databases.ts';
import { tempDir } from '../helpers/files.ts';
import { syntheticRatings } from '../recsys/helpers.ts';

/** A published model file of this database. */
async function modelFile(db: Db): Promise<string> {
  const ratings = syntheticRatings(40, 30, 10);
  return publishModel(
    fitAlgorithm('svd', ratings, { factors: 4, epochs: 2 }, { seed: 1 }),
    {
      databaseId: await databaseIdOf(db),
      source: 'test',
      snapshotTime: new Date().toISOString(),
      trainedAt: new Date().toISOString(),
      ratings: ratings.length,
      users: ratings.userIds.size,
      items: ratings.itemIds.size,
      seed: 1,
      metrics: {},
      metricsProtocol: null,
    },
    tempDir('lenslab-models-'),
  );
}

async function parts(db: Db): Promise<Array<{ part: number; size: number }>> {
  const rows = await db.kysely
    .selectFrom('published_model_parts')
    .select(['part', 'bytes'])
    .orderBy('part')
    .execute();
  return rows.map((row) => ({ part: row.part, size: row.bytes.length }));
}

for (const database of testDatabases) {
  describe(`published models in parts (${database.name})`, { skip: database.skip }, () => {
    test('a file is stored in parts and a node gets it back byte for byte', async () => {
      await withFreshDatabase(database, async (db) => {
        const path = await modelFile(db);
        const bytes = readFileSync(path);
        await storeModel(db, path, 'test', { partBytes: 1000 });
        const stored = await parts(db);
        assert.equal(stored.length, Math.ceil(bytes.length / 1000));
        assert.deepEqual(
          stored.map((p) => p.part),
          stored.map((_, k) => k),
        );
        assert.ok(stored.slice(0, -1).every((p) => p.size === 1000));
        // Stored once: the same name again adds nothing.
        await storeModel(db, path, 'test', { partBytes: 500 });
        assert.deepEqual(await parts(db), stored);
        const dir = tempDir('lenslab-node-');
        const [written] = await fetchNewestModels(db, dir, await databaseIdOf(db));
        assert.equal(written, join(dir, basename(path)));
        assert.deepEqual(readFileSync(written), bytes);
      });
    });

    test('migration 0016 moves each file stored whole into its first part', async () => {
      await withFreshDatabase(database, async (db) => {
        const migrator = new Migrator({
          db: db.kysely,
          provider: { getMigrations: async () => migrations },
          migrationTableSchema: db.schema,
        });
        const down = await migrator.migrateTo('0015_published_models');
        assert.equal(down.error, undefined);
        const bytes = Buffer.from('a model file stored whole before 0016');
        // A row of the table as 0015 made it.
        await sql`INSERT INTO published_models (name, algorithm, kind, database_id, bytes, created_at)
                  VALUES ('svd-20260101T000000Z', 'svd', 'rating', 'x', ${bytes}, 1)`.execute(
          db.kysely,
        );
        await migrateToLatest(db);
        const rows = await db.kysely.selectFrom('published_model_parts').selectAll().execute();
        assert.deepEqual(
          rows.map((row) => ({ ...row, bytes: Buffer.from(row.bytes) })),
          [{ name: 'svd-20260101T000000Z', part: 0, bytes }],
        );
        // Back down: a file in one part goes back into 0015's column.
        await db.kysely
          .updateTable('published_models')
          .set({ bytes: new Uint8Array(0) })
          .execute();
        assert.equal((await migrator.migrateTo('0015_published_models')).error, undefined);
        const whole = await sql<{ bytes: Uint8Array }>`SELECT bytes FROM published_models`.execute(
          db.kysely,
        );
        assert.deepEqual(Buffer.from(whole.rows[0].bytes), bytes);
      });
    });
  });
}
