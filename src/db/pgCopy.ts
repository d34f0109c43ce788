// Bulk loading into PostgreSQL with COPY ... FROM STDIN, through pg's own copy-in messages (the
// ones pg-copy-streams drives): no dependency beyond `pg`. Should pg ever drop them, this module is
// the one place to swap in pg-copy-streams.
import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import type pg from 'pg';

/** What COPY FROM STDIN needs of pg's Connection (pg has these methods; @types/pg omits them). */
interface CopyConnection {
  stream: Duplex;
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
}

/** Characters gathered before one CopyData message is sent. */
const CHUNK_CHARS = 1 << 18;

/**
 * One COPY statement as a pg "submittable" query: pg hands it the connection and the server's
 * replies (copy-in response, command complete, error, ready for query).
 */
class CopyIn implements pg.Submittable {
  connection?: CopyConnection;
  failure?: Error;
  private rows = 0;
  readonly ready: Promise<void>;
  readonly done: Promise<number>;
  private settle!: { ready(): void; done(rows: number): void; fail(error: Error): void };

  constructor(private readonly statement: string) {
    let readyCallbacks!: [() => void, (error: Error) => void];
    let doneCallbacks!: [(rows: number) => void, (error: Error) => void];
    this.ready = new Promise((resolve, reject) => (readyCallbacks = [resolve, reject]));
    this.done = new Promise((resolve, reject) => (doneCallbacks = [resolve, reject]));
    // Either may be left unawaited when the other reports the failure.
    this.ready.catch(() => undefined);
    this.done.catch(() => undefined);
    this.settle = {
      ready: readyCallbacks[0],
      done: doneCallbacks[0],
      fail: (error) => {
        readyCallbacks[1](error);
        doneCallbacks[1](error);
      },
    };
  }

  submit(connection: pg.Connection): void {
    this.connection = connection as unknown as CopyConnection;
    this.connection.query(this.statement);
  }

  handleCopyInResponse(): void {
    this.settle.ready();
  }

  handleCommandComplete(message: { text: string }): void {
    this.rows = Number(/^COPY (\d+)/.exec(message.text)?.[1] ?? 0);
  }

  handleReadyForQuery(): void {
    this.settle.done(this.rows);
  }

  handleError(error: Error & { where?: string }): void {
    // The server names the failing line of the COPY in `where`, not in the message.
    if (error.where) error.message = `${error.message} (${error.where})`;
    this.failure = error;
    this.settle.fail(error);
  }
}

/**
 * Runs `statement` (a `COPY ... FROM STDIN`) on `client`, sending `lines` (COPY text format, each
 * ending in a newline) at the pace the socket takes them; `onSent` hears how many lines have gone
 * so far. Returns the rows the server stored. An error from the server or from `lines` fails the
 * statement, and with it the caller's transaction.
 */
export async function copyFrom(
  client: pg.ClientBase,
  statement: string,
  lines: Iterable<string>,
  onSent?: (lines: number) => void,
): Promise<number> {
  const copy = client.query(new CopyIn(statement));
  await copy.ready;
  const connection = copy.connection!;
  let chunk = '';
  let sent = 0;
  let pending = 0;
  const flush = async () => {
    connection.sendCopyFromChunk(Buffer.from(chunk));
    chunk = '';
    sent += pending;
    pending = 0;
    onSent?.(sent);
    if (connection.stream.writableNeedDrain)
      await Promise.race([once(connection.stream, 'drain'), copy.done.catch(() => undefined)]);
  };
  try {
    for (const line of lines) {
      chunk += line;
      pending++;
      if (chunk.length >= CHUNK_CHARS) await flush();
      if (copy.failure) break;
    }
    if (!copy.failure) {
      if (pending > 0) await flush();
      connection.endCopyFrom();
    }
  } catch (error) {
    // Ours, not the server's: abort the COPY and wait for the server to say it has.
    if (!copy.failure) connection.sendCopyFail(String((error as Error).message ?? error));
    await copy.done.catch(() => undefined);
    throw error;
  }
  return copy.done;
}

/** A value in COPY's text format: \N for null, and backslash, tab, newline, return escaped. */
export function copyValue(value: string | number | null): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  return value.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]);
}

const COPY_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
};

/** One COPY text line of `values`. */
export function copyLine(values: ReadonlyArray<string | number | null>): string {
  return values.map(copyValue).join('\t') + '\n';
}

/**
 * Runs `work` in one transaction on a client of `pool`: committed when it returns, rolled back
 * when it throws.
 */
export async function inPostgresTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let healthy = true;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => (healthy = false));
    throw error;
  } finally {
    // A client that could not even roll back is dropped from the pool, not reused.
    client.release(!healthy);
  }
}

/** One `COPY ... TO STDOUT` as a pg submittable: each CopyData message goes to `onData`. */
class CopyOut implements pg.Submittable {
  private rows = 0;
  private failure?: Error;
  readonly done: Promise<number>;
  private settle!: [(rows: number) => void, (error: Error) => void];

  constructor(
    private readonly statement: string,
    private readonly onData: (chunk: Buffer) => void,
  ) {
    this.done = new Promise((resolve, reject) => (this.settle = [resolve, reject]));
  }

  submit(connection: pg.Connection): void {
    connection.query(this.statement);
  }

  handleCopyData(message: { chunk: Buffer }): void {
    if (this.failure) return;
    try {
      this.onData(message.chunk);
    } catch (error) {
      // The server goes on sending; the rest is ignored and the statement fails when it ends.
      this.failure = error as Error;
    }
  }

  handleCommandComplete(message: { text: string }): void {
    this.rows = Number(/^COPY (\d+)/.exec(message.text)?.[1] ?? 0);
  }

  handleReadyForQuery(): void {
    if (this.failure) this.settle[1](this.failure);
    else this.settle[0](this.rows);
  }

  handleError(error: Error): void {
    this.settle[1](error);
  }
}

/**
 * Runs `statement` (a `COPY ... TO STDOUT`) on `client`, handing the bytes (COPY text format, a
 * row per newline) to `onData` as they arrive, without gathering them; returns the row count.
 */
export function copyTo(
  client: pg.ClientBase,
  statement: string,
  onData: (chunk: Buffer) => void,
): Promise<number> {
  return client.query(new CopyOut(statement, onData)).done;
}
