import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type MigrationResultSet,
} from 'kysely';
import pg from 'pg';
import { migrations } from './migrations/index.ts';
import type { Database } from './schema.ts';

export const DEFAULT_SQLITE_PATH = './data/lenslab.db';

// PostgreSQL bigint (int8) columns hold Unix times and counts well inside 2^53: read them as numbers.
pg.types.setTypeParser(20, (value) => Number(value));

/**
 * A connection to lenslab's database: SQLite (embedded, the default) or PostgreSQL.
 * `sqlite` / `pgPool` expose the driver for bulk paths (import) that Kysely would slow down.
 */
export interface Db {
  kysely: Kysely<Database>;
  dialect: 'sqlite' | 'postgres';
  /** Where the data lives, for logs (a file path, or the URL without its password). */
  location: string;
  sqlite?: SqliteDatabase.Database;
  pgPool?: pg.Pool;
  /** PostgreSQL: the schema lenslab's tables live in. */
  schema?: string;
  close(): Promise<void>;
}

export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//.test(target);
}

/** The database named by --db, else DATABASE_URL, else ./data/lenslab.db. */
export function resolveDatabaseTarget(target?: string): string {
  return target || process.env.DATABASE_URL || DEFAULT_SQLITE_PATH;
}

/**
 * Opens (and for SQLite creates) the database. A PostgreSQL URL may carry `?schema=NAME` to
 * work inside one schema (created if missing), which is how tests get a fresh one per run.
 */
export async function openDatabase(target?: string): Promise<Db> {
  const resolved = resolveDatabaseTarget(target);
  if (isPostgresUrl(resolved)) return openPostgres(resolved);
  return openSqlite(resolved);
}

function openSqlite(path: string): Db {
  const file = path === ':memory:' ? path : resolve(path);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const kysely = new Kysely<Database>({
    dialect: new ImmediateSqliteDialect({ database: sqlite }),
  });
  return { kysely, dialect: 'sqlite', location: file, sqlite, close: () => kysely.destroy() };
}

/**
 * SQLite transactions that take the write lock when they begin (BEGIN IMMEDIATE). The event log
 * writes from a second connection in a worker thread; a deferred transaction that read before a
 * commit of that connection could not upgrade to writing and would fail at once with
 * SQLITE_BUSY, while an immediate one waits its turn under the busy timeout.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  private readonly settings: ConstructorParameters<typeof SqliteDialect>[0];

  constructor(settings: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(settings);
    this.settings = settings;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.settings);
  }
}

/** Without a user in the URL, follow libpq's habits, then fall back to the server's superuser. */
export function defaultPostgresUser(): string {
  return process.env.PGUSER || process.env.USER || 'postgres';
}

async function openPostgres(url: string): Promise<Db> {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  if (schema !== null && !/^[a-z_][a-z0-9_]*$/.test(schema)) {
    throw new Error(`--db: schema "${schema}" must be lower-case letters, digits and underscores`);
  }
  if (!parsed.username) parsed.username = defaultPostgresUser();
  const config: pg.PoolConfig = { connectionString: parsed.toString(), max: 10 };
  if (schema) {
    const setup = new pg.Client({ connectionString: parsed.toString() });
    await setup.connect();
    await setup.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await setup.end();
    config.options = `-c search_path="${schema}"`;
  }
  const pgPool = new pg.Pool(config);
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool: pgPool }) });
  parsed.password = '';
  if (schema) parsed.searchParams.set('schema', schema);
  return {
    kysely,
    dialect: 'postgres',
    location: parsed.toString(),
    pgPool,
    schema: schema ?? 'public',
    close: () => kysely.destroy(),
  };
}

/** Brings the schema up to date; throws if a migration fails. */
export async function migrateToLatest(db: Db): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db: db.kysely,
    provider: { getMigrations: async () => migrations },
    // Kysely looks for its own tables across all schemas unless told which one is ours.
    migrationTableSchema: db.schema,
  });
  // Kysely looks for its bookkeeping tables before it runs any migration, and a failure of that
  // look returns before anything is migrated, so it may be tried again.
  return readingCatalog(db, async () => {
    const result = await migrator.migrateToLatest();
    if (result.error) throw result.error;
    return result;
  });
}

const VANISHED_SCHEMA = '3F000';
const VANISHED_RELATION = '42P01';

/**
 * Runs `read`, which reads PostgreSQL's catalog through Kysely's introspection, again while it
 * fails because another schema vanished under it. That introspection scans the tables of every
 * schema on the server and calls functions that look each schema and table up by name; a schema
 * dropped between the scan and those calls (another lenslab in its own schema, another test run)
 * fails the whole query with "schema … does not exist". A failure that names our own schema, or
 * an unqualified table, is a real one and is thrown.
 */
export async function readingCatalog<T>(db: Db, read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (attempt >= 5 || !namesAnotherVanishedSchema(error, db.schema)) throw error;
    }
  }
}

function namesAnotherVanishedSchema(error: unknown, ownSchema: string | undefined): boolean {
  if (ownSchema === undefined || !(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  // The server's message quotes the name: schema "t_1", relation "t_1.ratings".
  const named =
    code === VANISHED_SCHEMA
      ? /"([^"]+)"/.exec(error.message)
      : code === VANISHED_RELATION
        ? /"([^".]+)\.[^"]+"/.exec(error.message)
        : null;
  return named !== null && named[1] !== ownSchema;
}
