import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { TableMetadata } from 'kysely';
import pg from 'pg';
import {
  defaultPostgresUser,
  migrateToLatest,
  openDatabase,
  readingCatalog,
  type Db,
} from '../../src/db/connection.ts';

/**
 * The databases every database test runs on: a fresh SQLite file, and a fresh schema in the
 * machine's PostgreSQL. PostgreSQL comes from LENSLAB_TEST_PG_URL (default
 * postgres://127.0.0.1:5432/test). When it cannot be reached the PostgreSQL variant is skipped
 * with a message — except under CI, where that is a failure.
 */
export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  /** Why this variant is skipped, or false. */
  skip: string | false;
  /** Opens a fresh, migrated database. */
  open(): Promise<Db>;
  /** Removes what open() created. */
  cleanup(db: Db): Promise<void>;
}

/** Runs `work` on a fresh database of `database`'s kind, removed afterwards whatever happens. */
export async function withFreshDatabase<T>(
  database: TestDatabase,
  work: (db: Db) => Promise<T>,
): Promise<T> {
  const db = await database.open();
  try {
    return await work(db);
  } finally {
    await database.cleanup(db);
  }
}

export const POSTGRES_URL = process.env.LENSLAB_TEST_PG_URL ?? 'postgres://127.0.0.1:5432/test';

/** The test server's URL with a user, for set-up and clean-up outside lenslab's connections. */
export function adminUrl(): string {
  const url = new URL(POSTGRES_URL);
  if (!url.username) url.username = defaultPostgresUser();
  return url.toString();
}

async function postgresReachable(): Promise<string | false> {
  const client = new pg.Client({ connectionString: adminUrl(), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return false;
  } catch (error) {
    const reason = `PostgreSQL at ${POSTGRES_URL} is unreachable (${(error as Error).message})`;
    if (process.env.CI) throw new Error(`${reason}; CI needs it`, { cause: error });
    return `${reason}; set LENSLAB_TEST_PG_URL to run the PostgreSQL variant`;
  }
}

const postgresSkip = await postgresReachable();

function schemaName(db: Db): string {
  return new URL(db.location).searchParams.get('schema') ?? '';
}

export const testDatabases: TestDatabase[] = [
  {
    name: 'sqlite',
    skip: false,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'lenslab-test-'));
      const db = await openDatabase(join(dir, 'test.db'));
      await migrateToLatest(db);
      return db;
    },
    async cleanup(db) {
      const file = db.location;
      await db.close();
      rmSync(join(file, '..'), { recursive: true, force: true });
    },
  },
  {
    name: 'postgres',
    skip: postgresSkip,
    async open() {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      const url = new URL(POSTGRES_URL);
      url.searchParams.set('schema', schema);
      const db = await openDatabase(url.toString());
      await migrateToLatest(db);
      return db;
    },
    async cleanup(db) {
      const schema = schemaName(db);
      await db.close();
      const client = new pg.Client({ connectionString: adminUrl() });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  },
];

/**
 * The tables of this database (on PostgreSQL only its own schema's: other tests' schemas, with
 * other migrations, share the server).
 */
export async function ownTables(db: Db): Promise<TableMetadata[]> {
  const tables = await readingCatalog(db, () => db.kysely.introspection.getTables());
  return db.schema === undefined ? tables : tables.filter((t) => t.schema === db.schema);
}
