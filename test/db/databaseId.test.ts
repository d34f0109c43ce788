import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { migrateToLatest, openDatabase } from '../../src/db/connection.ts';
import { databaseIdOf } from '../../src/services/models.ts';
import { testDatabases } from '../helpers/databases.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

for (const database of testDatabases) {
  describe(`the database id (${database.name})`, { skip: database.skip }, () => {
    test('the migration draws it once; it survives restarts and re-migrations', async () => {
      const first = await database.open();
      const location = first.location;
      let id: string;
      try {
        id = await databaseIdOf(first);
      } finally {
        await first.close();
      }
      assert.match(id, UUID);
      // A restart: a new connection to the same database, migrated again (twice).
      const db = await openDatabase(location);
      try {
        await migrateToLatest(db);
        await migrateToLatest(db);
        assert.equal(await databaseIdOf(db), id);
        const rows = await db.kysely.selectFrom('database_identity').select('id').execute();
        assert.deepEqual(rows, [{ id }]);
      } finally {
        await database.cleanup(db);
      }
    });

    test('two databases get different ids', async () => {
      const one = await database.open();
      const two = await database.open();
      try {
        assert.notEqual(await databaseIdOf(one), await databaseIdOf(two));
      } finally {
        await database.cleanup(one);
        await database.cleanup(two);
      }
    });
  });
}
