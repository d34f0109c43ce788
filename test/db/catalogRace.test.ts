import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { migrateToLatest, openDatabase, readingCatalog, type Db } from '../../src/db/connection.ts';
import { adminUrl, POSTGRES_URL, testDatabases } from '../helpers/databases.ts';

const postgres = testDatabases.find((d) => d.name === 'postgres')!;
const prefix = `t_${randomBytes(4).toString('hex')}`;

/** A fresh, empty lenslab schema (not migrated). */
async function freshSchema(name: string): Promise<Db> {
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('schema', `${prefix}_${name}`);
  return openDatabase(url.toString());
}

async function query(text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * Runs `read` while another schema is dropped under Kysely's catalog read: the drop is made in
 * an open transaction and committed as soon as the read's query is running on the server.
 */
async function whileASchemaIsDropped<T>(trial: number, read: () => Promise<T>): Promise<T> {
  const gone = `${prefix}_gone${trial}`;
  await query(`CREATE SCHEMA ${gone}; CREATE TABLE ${gone}.t (id serial PRIMARY KEY)`);
  const dropper = new pg.Client({ connectionString: adminUrl() });
  await dropper.connect();
  await dropper.query(`BEGIN; DROP SCHEMA ${gone} CASCADE`);
  const reading = read();
  const watcher = new pg.Client({ connectionString: adminUrl() });
  await watcher.connect();
  for (let running = false; !running;) {
    const { rows } = await watcher.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE state = 'active' AND query LIKE '%pg_get_serial_sequence%' AND pid <> pg_backend_pid()`,
    );
    running = rows[0].n > 0;
  }
  await watcher.end();
  await dropper.query('COMMIT');
  await dropper.end();
  return reading;
}

describe(
  'reading the catalog while other schemas come and go (postgres)',
  { skip: postgres.skip },
  () => {
    before(async () => {
      // Wide tables make the catalog read long enough for a drop to land inside it.
      const columns = Array.from({ length: 150 }, (_, i) => `c${i} int`).join(', ');
      const tables = Array.from(
        { length: 50 },
        (_, t) => `CREATE TABLE ${prefix}_wide.t${t} (id serial PRIMARY KEY, ${columns});`,
      );
      await query(`CREATE SCHEMA ${prefix}_wide; ${tables.join('\n')}`);
    });

    after(async () => {
      const { rows } = await query(
        `SELECT nspname FROM pg_namespace WHERE nspname LIKE '${prefix}\\_%'`,
      );
      for (const { nspname } of rows) await query(`DROP SCHEMA "${nspname}" CASCADE`);
    });

    test('a schema dropped during the read is read again, and migrations go through', async () => {
      let retried = 0;
      for (let trial = 0; trial < 40 && retried < 2; trial++) {
        const db = await freshSchema(`own${trial}`);
        try {
          let reads = 0;
          const tables = await whileASchemaIsDropped(trial, () =>
            readingCatalog(db, () => {
              reads++;
              return db.kysely.introspection.getTables();
            }),
          );
          assert.equal(tables.filter((t) => t.schema === `${prefix}_wide`).length, 50);
          if (reads > 1) retried++;
          await whileASchemaIsDropped(1000 + trial, () => migrateToLatest(db));
          assert.deepEqual(await db.kysely.selectFrom('users').select('id').execute(), []);
        } finally {
          await db.close();
        }
      }
      // Without the retry those reads fail; the test proves nothing if the race never happened.
      assert.ok(retried > 0, 'no drop landed inside a catalog read in 40 trials');
    });

    test('only another schema vanishing is read again, at most five times in all', async () => {
      const db = await freshSchema('errors');
      try {
        const failing = async (statement: string, code: string) => {
          let reads = 0;
          await assert.rejects(
            readingCatalog(db, () => {
              reads++;
              return sql.raw(statement).execute(db.kysely);
            }),
            (error: Error & { code?: string }) => error.code === code,
          );
          return reads;
        };
        // Another schema missing, or a table in one: retried, five reads in all.
        assert.equal(
          await failing(`SELECT has_schema_privilege('${db.schema}_x', 'USAGE')`, '3F000'),
          5,
        );
        assert.equal(await failing(`SELECT * FROM ${db.schema}_x.t`, '42P01'), 5);
        // A table of our own missing (unqualified or qualified) or our own schema: real failures.
        assert.equal(await failing('SELECT * FROM no_such_table', '42P01'), 1);
        assert.equal(await failing(`SELECT * FROM ${db.schema}.no_such_table`, '42P01'), 1);
        await query(`DROP SCHEMA ${db.schema}`);
        assert.equal(
          await failing(`SELECT has_schema_privilege('${db.schema}', 'USAGE')`, '3F000'),
          1,
        );
      } finally {
        await db.close();
      }
    });
  },
);
