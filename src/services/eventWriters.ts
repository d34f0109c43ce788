/**
 * How the event log writes a batch of rows: multi-row INSERTs inside one transaction, by the
 * fastest path each database offers, so that flushing costs the request path little.
 * - SQLite in a worker thread ('sqlite-worker', the default for SQLite): a second connection
 *   writes, so a batch never holds the server's event loop. This needs every transaction of the
 *   server's own connection to take the write lock up front (BEGIN IMMEDIATE, see
 *   db/connection.ts and services/ratings.ts): a deferred transaction that read before the other
 *   connection committed could not upgrade to writing and would fail with SQLITE_BUSY at once
 *   (the busy timeout does not apply to that case); an immediate one waits under the timeout.
 *   While the thread runs, it alone checkpoints the write-ahead log: a checkpoint copies up to
 *   a thousand pages into the database file and syncs it, which must not happen inside one of
 *   the server's own commits, on its event loop.
 * - SQLite on the server's connection ('sqlite'): prepared multi-row statements, taken through
 *   Kysely's connection mutex so a batch never lands inside someone else's open transaction. The
 *   driver is synchronous: a batch holds the event loop while it is written.
 * - PostgreSQL ('postgres'): pre-built parameterized statements on a pooled client.
 * - Anything else ('kysely'): Kysely's query builder.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';
import type { Insertable } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { EventsTable } from '../db/schema.ts';

export type EventRow = Insertable<EventsTable>;

export interface EventWriter {
  /**
   * Writes the rows in order, in one or more transactions; on failure rejects with a
   * PartialWriteError when a leading part was committed, else with the error.
   */
  write(rows: EventRow[]): Promise<void>;
  close(): Promise<void>;
}

/** A failed write whose first `written` rows were committed (the rest were not). */
export class PartialWriteError extends Error {
  constructor(
    message: string,
    readonly written: number,
  ) {
    super(message);
  }
}

const COLUMNS = ['occurred_at_ms', 'kind', 'user_id', 'visitor_id', 'payload'] as const;
const INSERT_PREFIX = `INSERT INTO events (${COLUMNS.join(', ')}) VALUES `;
/** Rows per multi-row statement on SQLite (5 parameters each, far below its limit). */
const SQLITE_ROWS_PER_INSERT = 100;

function flatten(rows: EventRow[]): unknown[] {
  const flat = new Array<unknown>(rows.length * COLUMNS.length);
  let k = 0;
  for (const row of rows) {
    flat[k++] = row.occurred_at_ms;
    flat[k++] = row.kind;
    flat[k++] = row.user_id ?? null;
    flat[k++] = row.visitor_id ?? null;
    flat[k++] = row.payload ?? '{}';
  }
  return flat;
}

function sqlitePlaceholders(rows: number): string {
  return INSERT_PREFIX + new Array(rows).fill('(?, ?, ?, ?, ?)').join(', ');
}

// ---- SQLite, in a worker thread ------------------------------------------------------------------

/** The worker's code (CommonJS, evaluated): one connection, prepared statements, one transaction per batch. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');
const width = ${COLUMNS.length};
const chunk = ${SQLITE_ROWS_PER_INSERT};
const prefix = ${JSON.stringify(INSERT_PREFIX)};
let write = null;
// One transaction per chunk, so the write lock is held for a millisecond or two at a time and the
// server's own writes (which wait on it, sleeping the event loop) are not held up for long.
function prepare() {
  const single = db.prepare(prefix + '(?, ?, ?, ?, ?)');
  const many = db.prepare(prefix + new Array(chunk).fill('(?, ?, ?, ?, ?)').join(', '));
  const writeChunk = db.transaction((part) => {
    if (part.length === chunk * width) many.run(part);
    else for (let i = 0; i < part.length; i += width) single.run(part.slice(i, i + width));
  });
  return (flat) => {
    let written = 0;
    try {
      for (let i = 0; i < flat.length; i += chunk * width) {
        const part = flat.slice(i, i + chunk * width);
        writeChunk.immediate(part);
        written += part.length / width;
      }
    } catch (error) {
      error.written = written;
      throw error;
    }
  };
}
parentPort.on('message', (message) => {
  if (message.close) {
    db.close();
    parentPort.postMessage({ id: message.id, ok: true });
    return;
  }
  try {
    write ??= prepare();
    write(message.flat);
    parentPort.postMessage({ id: message.id, ok: true });
  } catch (error) {
    parentPort.postMessage({
      id: message.id,
      ok: false,
      written: error.written || 0,
      message: String((error && error.message) || error),
    });
  }
});
`;

class SqliteWorkerWriter implements EventWriter {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: () => void; reject: (error: Error) => void }
  >();

  /** The server's connection's own auto-checkpoint setting, given back when the thread ends. */
  private serverCheckpointPages: number | null = null;

  constructor(private readonly server: SqliteDatabase.Database) {}

  private get file(): string {
    return this.server.name;
  }

  /** Checkpoints in the writer thread only while it runs (see the file comment). */
  private checkpointInThread(yes: boolean): void {
    if (yes && this.serverCheckpointPages === null) {
      this.serverCheckpointPages = Number(
        this.server.pragma('wal_autocheckpoint', { simple: true }),
      );
      this.server.pragma('wal_autocheckpoint = 0');
    } else if (!yes && this.serverCheckpointPages !== null && this.server.open) {
      this.server.pragma(`wal_autocheckpoint = ${this.serverCheckpointPages}`);
      this.serverCheckpointPages = null;
    }
  }

  private start(): Worker {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [],
      workerData: { driver, file: this.file },
    });
    worker.unref();
    type Reply = { id: number; ok: boolean; written?: number; message?: string };
    worker.on('message', (message: Reply) => {
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      if (this.pending.size === 0) worker.unref();
      if (message.ok) waiting.resolve();
      else
        waiting.reject(
          new PartialWriteError(
            `event log: writing to ${this.file} failed: ${message.message}`,
            message.written ?? 0,
          ),
        );
    });
    const fail = (problem: unknown) => {
      const error =
        problem instanceof Error
          ? problem
          : new Error(`event log: the writer thread failed: ${JSON.stringify(problem)}`);
      if (this.worker === worker) {
        this.worker = null;
        this.checkpointInThread(false);
      }
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) =>
      fail(new Error(`event log: the writer thread exited (code ${code})`)),
    );
    this.checkpointInThread(true);
    return worker;
  }

  private send(message: Record<string, unknown>): Promise<void> {
    this.worker ??= this.start();
    const worker = this.worker;
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Keep the process alive while a batch is on its way (a clean shutdown waits for it).
      worker.ref();
      worker.postMessage({ ...message, id });
    });
  }

  write(rows: EventRow[]): Promise<void> {
    return this.send({ flat: flatten(rows) });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    await this.send({ close: true });
    this.worker = null;
    this.checkpointInThread(false);
    await worker.terminate();
  }
}

// ---- SQLite, on the server's connection ----------------------------------------------------------

function sqliteInlineWriter(db: Db): EventWriter {
  const sqlite = db.sqlite!;
  const single = sqlite.prepare(sqlitePlaceholders(1));
  const many = sqlite.prepare(sqlitePlaceholders(SQLITE_ROWS_PER_INSERT));
  const width = COLUMNS.length;
  const write = sqlite.transaction((flat: unknown[]) => {
    const rows = flat.length / width;
    let i = 0;
    for (; i + SQLITE_ROWS_PER_INSERT <= rows; i += SQLITE_ROWS_PER_INSERT) {
      many.run(flat.slice(i * width, (i + SQLITE_ROWS_PER_INSERT) * width));
    }
    for (; i < rows; i++) single.run(flat.slice(i * width, (i + 1) * width));
  });
  return {
    write: async (rows) => {
      const flat = flatten(rows);
      // Hold Kysely's single connection while writing: never inside another caller's transaction.
      await db.kysely.connection().execute(async () => {
        write(flat);
      });
    },
    close: async () => {},
  };
}

// ---- PostgreSQL ----------------------------------------------------------------------------------

function postgresWriter(db: Db, rowsPerInsert: number): EventWriter {
  const pool = db.pgPool!;
  const statements = new Map<number, string>();
  const statement = (rows: number) => {
    let text = statements.get(rows);
    if (!text) {
      const values = new Array<string>(rows);
      for (let r = 0; r < rows; r++) {
        const base = r * COLUMNS.length;
        values[r] = `($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5})`;
      }
      text = INSERT_PREFIX + values.join(', ');
      statements.set(rows, text);
    }
    return text;
  };
  return {
    async write(rows) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        for (let start = 0; start < rows.length; start += rowsPerInsert) {
          const part = rows.slice(start, start + rowsPerInsert);
          await client.query(statement(part.length), flatten(part));
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: async () => {},
  };
}

// ---- anything else -------------------------------------------------------------------------------

function kyselyWriter(db: Db, rowsPerInsert: number): EventWriter {
  return {
    async write(rows) {
      await db.kysely.transaction().execute(async (trx) => {
        for (let start = 0; start < rows.length; start += rowsPerInsert) {
          await trx
            .insertInto('events')
            .values(rows.slice(start, start + rowsPerInsert))
            .execute();
        }
      });
    },
    close: async () => {},
  };
}

export type EventWriterKind = 'auto' | 'sqlite-worker' | 'sqlite' | 'postgres' | 'kysely';

/** The writer for a database ('auto': 'sqlite-worker' for a SQLite file, 'postgres', else 'kysely'). */
export function eventWriter(
  db: Db,
  kind: EventWriterKind = 'auto',
  rowsPerInsert = 500,
): EventWriter {
  const sqliteFile = db.sqlite !== undefined && !db.sqlite.memory;
  const chosen =
    kind !== 'auto'
      ? kind
      : sqliteFile
        ? 'sqlite-worker'
        : db.sqlite
          ? 'sqlite'
          : db.pgPool
            ? 'postgres'
            : 'kysely';
  switch (chosen) {
    case 'sqlite-worker':
      return new SqliteWorkerWriter(db.sqlite!);
    case 'sqlite':
      return sqliteInlineWriter(db);
    case 'postgres':
      return postgresWriter(db, rowsPerInsert);
    default:
      return kyselyWriter(db, rowsPerInsert);
  }
}
