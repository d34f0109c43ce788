/**
 * The change feed: hands the notes other app nodes write to the change log (changeLog.ts) to this
 * node's listeners (`MemberChanges.applyRemote`), so its in-memory state (catalog statistics,
 * fold-ins, cached lists, experiments, sessions, served models) follows changes made through any
 * node within a fraction of a second.
 *
 * - PostgreSQL: a dedicated connection LISTENs on `lenslab_changes:<schema>`; the change log's
 *   trigger NOTIFYs at commit, with the note (or its id only, when long: then the row is read).
 *   After (re)connecting, the notes written since the last one heard are read from the table.
 * - SQLite (nodes on one file, i.e. one machine): the notes after the last one read are polled
 *   (every `pollMs`, default 250 ms; one indexed query that usually returns nothing).
 *
 * A node's own notes are skipped: its listeners heard of its changes when it made them.
 */
import pg from 'pg';
import type { Db } from '../db/connection.ts';
import { logged, noteById, notesAfter, type LoggedNote } from './changeLog.ts';
import type { MemberChanges } from './memberChanges.ts';

export interface ChangeFeedOptions {
  /** SQLite: how often to read new notes (ms; default 250). */
  pollMs?: number;
  /** PostgreSQL: the wait before reconnecting a lost LISTEN connection (ms; default 1000). */
  reconnectMs?: number;
  log?: (message: string) => void;
}

/** Notes read per query while catching up. */
const BATCH = 500;

export class ChangeFeed {
  private last: number;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  private client: pg.Client | null = null;
  /** Notes are applied one at a time, in the order they were heard. */
  private queue: Promise<void> = Promise.resolve();
  /** PostgreSQL: ids applied while catching up, so their notifications are not applied again. */
  private readonly caughtUp = new Set<number>();

  private constructor(
    private readonly db: Db,
    private readonly changes: MemberChanges,
    /** The id of the last note this node's state already holds. */
    since: number,
    private readonly options: ChangeFeedOptions,
  ) {
    this.last = since;
  }

  /** Follows the notes written after the note `since`. */
  static async start(
    db: Db,
    changes: MemberChanges,
    since: number,
    options: ChangeFeedOptions = {},
  ): Promise<ChangeFeed> {
    const feed = new ChangeFeed(db, changes, since, options);
    if (db.pgPool) await feed.listen();
    else feed.poll();
    return feed;
  }

  /** Resolves once the notes heard so far are applied (tests). */
  settled(): Promise<void> {
    return this.queue;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
    await this.queue;
  }

  private apply({ id, node, note }: LoggedNote): void {
    if (id > this.last) this.last = id;
    if (node === this.changes.node) return;
    if (note instanceof Error) {
      this.options.log?.(`change feed: passing over note ${id}: ${note.message}`);
      return;
    }
    try {
      this.changes.applyRemote(note);
    } catch (error) {
      this.options.log?.(
        `change feed: note ${id} (${note.kind}) failed: ${(error as Error).message}`,
      );
    }
  }

  /** Applies every note after `this.last`; returns their ids. */
  private async catchUp(): Promise<number[]> {
    const ids: number[] = [];
    for (;;) {
      const notes = await notesAfter(this.db, this.last, BATCH);
      for (const note of notes) {
        this.apply(note);
        ids.push(note.id);
      }
      if (notes.length < BATCH) return ids;
    }
  }

  // ---- SQLite: polling ---------------------------------------------------------------------------

  private poll(): void {
    if (this.closed) return;
    this.queue = this.queue
      .then(() => this.catchUp())
      .then(
        () => {},
        (error: Error) =>
          this.options.log?.(`change feed: reading the change log failed: ${error.message}`),
      )
      .finally(() => {
        if (this.closed) return;
        this.timer = setTimeout(() => this.poll(), this.options.pollMs ?? 250);
        this.timer.unref();
      });
  }

  // ---- PostgreSQL: LISTEN/NOTIFY -------------------------------------------------------------------

  private async listen(): Promise<void> {
    const client = new pg.Client(this.db.pgPool!.options);
    client.on('notification', (message) => {
      if (message.payload) this.enqueue(() => this.heard(message.payload!));
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('the connection ended')));
    await client.connect();
    // The schema name was checked when the database was opened (lower-case letters, digits, _).
    await client.query(`LISTEN "lenslab_changes:${this.db.schema ?? 'public'}"`);
    this.client = client;
    // What was written before LISTEN took effect.
    this.enqueue(async () => {
      this.caughtUp.clear();
      for (const id of await this.catchUp()) this.caughtUp.add(id);
    });
    await this.queue;
  }

  private enqueue(job: () => Promise<void>): void {
    this.queue = this.queue
      .then(job)
      .catch((error: Error) => this.options.log?.(`change feed: ${error.message}`));
  }

  private async heard(payload: string): Promise<void> {
    const message = JSON.parse(payload) as {
      id: number;
      node: string;
      kind?: string;
      payload?: string;
    };
    if (this.caughtUp.delete(message.id)) return;
    if (message.node === this.changes.node) {
      this.last = Math.max(this.last, message.id);
      return;
    }
    const note =
      message.kind !== undefined && message.payload !== undefined
        ? logged({
            id: message.id,
            node: message.node,
            kind: message.kind,
            payload: message.payload,
          })
        : await noteById(this.db, message.id);
    if (note) this.apply(note);
  }

  /** The LISTEN connection failed: reconnect after a while, then catch up. */
  private lost(client: pg.Client, error: Error): void {
    if (this.closed || this.client !== client) return;
    this.client = null;
    this.options.log?.(`change feed: lost the LISTEN connection (${error.message}); reconnecting`);
    client.end().catch(() => {});
    const retry = () => {
      if (this.closed) return;
      this.listen().catch((again: Error) => {
        this.options.log?.(`change feed: reconnecting failed (${again.message}); trying again`);
        this.timer = setTimeout(retry, this.options.reconnectMs ?? 1000);
        this.timer.unref();
      });
    };
    this.timer = setTimeout(retry, this.options.reconnectMs ?? 1000);
    this.timer.unref();
  }
}
