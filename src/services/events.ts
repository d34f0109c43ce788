/**
 * The research event log (issue #5): what members do on the site, recorded under their numeric
 * pseudonymous id only (anonymous visitors under a random cookie id, never an IP address).
 *
 * - `EventLog.record(event)` is on the request path: O(1), no I/O, no serialization — it pushes
 *   the event onto an in-memory queue. A timer and a size threshold flush the queue off the
 *   request path in multi-row inserts inside one transaction; `flush()` / `close()` write
 *   everything still queued (clean shutdown loses nothing).
 * - Serialization whitelists each kind's fields, so a stray property (an e-mail, a password, an
 *   IP address) passed by mistake never reaches the table; routes lose their query strings,
 *   e-mail addresses typed into search are replaced, visitor ids must look like ours.
 * - Retention: `purgePageEvents` removes page-request rows older than the configured age
 *   (`schedulePagePurge` runs it periodically); `deleteMemberEvents` / `EventLog.deleteMember`
 *   remove a member's events when they delete their account.
 * - Export to CSV or JSON Lines, streamed page by page, pseudonymous ids only; an empty range
 *   gives a CSV with just its header (an empty JSON Lines file).
 *
 * Kinds and rows: eventKinds.ts; visitor ids: visitorIds.ts; batch writers: eventWriters.ts;
 * retention: eventRetention.ts; reading and export: eventExport.ts (all re-exported here).
 */
import type { Insertable } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { EventsTable } from '../db/schema.ts';
import { eventRow, InvalidEventError, type ResearchEvent } from './eventKinds.ts';
import { deleteMemberEvents } from './eventRetention.ts';
import {
  eventWriter,
  PartialWriteError,
  type EventWriter,
  type EventWriterKind,
} from './eventWriters.ts';

export * from './eventKinds.ts';
export * from './visitorIds.ts';
export * from './eventRetention.ts';
export * from './eventExport.ts';

export interface EventLogOptions {
  /** Flush at least this often (ms, default 1000). */
  flushIntervalMs?: number;
  /** Flush as soon as this many events are queued (default 500; on SQLite a worker thread writes them). */
  batchSize?: number;
  /** Rows per INSERT statement (default 500). */
  rowsPerInsert?: number;
  /** Events beyond this many queued are dropped and counted (default 200,000). */
  maxQueued?: number;
  /** Where failed flushes and invalid events are reported (default: console.error). */
  onError?: (error: unknown) => void;
  /** false: `record()` does nothing (logging off). */
  enabled?: boolean;
  /** How batches are written (default 'auto', see eventWriters.ts). */
  writer?: EventWriterKind;
}

export interface EventLogStats {
  queued: number;
  written: number;
  /** Events dropped because the queue was full or the log closed. */
  dropped: number;
  /** Events dropped because they were invalid (see InvalidEventError). */
  invalid: number;
  failedFlushes: number;
}

export class EventLog {
  private queue: ResearchEvent[] = [];
  private times: number[] = [];
  private tail: Promise<unknown> = Promise.resolve();
  private flushScheduled = false;
  private backgroundWaiting = false;
  private closed = false;
  private readonly timer: NodeJS.Timeout | null;
  private readonly batchSize: number;
  private readonly rowsPerInsert: number;
  private readonly maxQueued: number;
  private readonly onError: (error: unknown) => void;
  private readonly writerKind: EventWriterKind;
  private writer: EventWriter | null = null;
  readonly enabled: boolean;
  private counters = { written: 0, dropped: 0, invalid: 0, failedFlushes: 0 };

  constructor(
    private readonly db: Db,
    options: EventLogOptions = {},
  ) {
    this.enabled = options.enabled ?? true;
    this.batchSize = options.batchSize ?? 500;
    this.rowsPerInsert = options.rowsPerInsert ?? 500;
    this.maxQueued = options.maxQueued ?? 200_000;
    this.onError = options.onError ?? ((error) => console.error(error));
    this.writerKind = options.writer ?? 'auto';
    const interval = options.flushIntervalMs ?? 1000;
    this.timer = this.enabled ? setInterval(() => this.backgroundFlush(), interval) : null;
    this.timer?.unref();
  }

  /** Queues an event (O(1), no I/O). It reaches the table at the next flush. */
  record(event: ResearchEvent): void {
    if (!this.enabled) return;
    if (this.closed || this.queue.length >= this.maxQueued) {
      this.counters.dropped++;
      return;
    }
    this.queue.push(event);
    this.times.push(event.at ?? Date.now());
    if (this.queue.length >= this.batchSize && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.backgroundFlush();
      });
    }
  }

  /** Writes everything queued so far; resolves to the number of rows written. */
  flush(): Promise<number> {
    const run = this.tail.then(() => this.writeQueued());
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Stops the timer and writes everything still queued; later events are dropped. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.closed = true;
    try {
      await this.flush();
    } finally {
      await this.writer?.close();
      this.writer = null;
    }
  }

  /**
   * Forgets a member (account deletion): drops their queued events, waits for any flush in
   * progress, then deletes their stored events. Resolves to the number of rows deleted.
   */
  deleteMember(memberId: number): Promise<number> {
    this.dropQueued((event) => event.memberId === memberId);
    const run = this.tail.then(() => deleteMemberEvents(this.db, memberId));
    this.tail = run.catch(() => undefined);
    return run;
  }

  get stats(): EventLogStats {
    return { queued: this.queue.length, ...this.counters };
  }

  private dropQueued(matches: (event: ResearchEvent) => boolean): void {
    const keptEvents: ResearchEvent[] = [];
    const keptTimes: number[] = [];
    for (let i = 0; i < this.queue.length; i++) {
      if (matches(this.queue[i])) continue;
      keptEvents.push(this.queue[i]);
      keptTimes.push(this.times[i]);
    }
    this.queue = keptEvents;
    this.times = keptTimes;
  }

  /** A flush from the timer or the size threshold: at most one waits in line at a time. */
  private backgroundFlush(): void {
    if (this.queue.length === 0 || this.backgroundWaiting) return;
    this.backgroundWaiting = true;
    const run = this.tail.then(() => {
      this.backgroundWaiting = false;
      return this.writeQueued();
    });
    this.tail = run.catch((error: unknown) => this.onError(error));
  }

  private async writeQueued(): Promise<number> {
    if (this.queue.length === 0) return 0;
    const events = this.queue;
    const times = this.times;
    this.queue = [];
    this.times = [];
    const rows: Insertable<EventsTable>[] = [];
    // The events behind the rows (invalid ones left out), to put back if the write fails.
    const written: ResearchEvent[] = [];
    const writtenTimes: number[] = [];
    for (let i = 0; i < events.length; i++) {
      try {
        rows.push(eventRow(events[i], times[i]));
        written.push(events[i]);
        writtenTimes.push(times[i]);
      } catch (error) {
        if (!(error instanceof InvalidEventError)) throw error;
        this.counters.invalid++;
        this.onError(error);
      }
    }
    if (rows.length === 0) return 0;
    try {
      this.writer ??= eventWriter(this.db, this.writerKind, this.rowsPerInsert);
      await this.writer.write(rows);
    } catch (error) {
      // Keep the events not yet written for the next attempt (in front of newer ones), within
      // the queue limit.
      this.counters.failedFlushes++;
      const done = error instanceof PartialWriteError ? error.written : 0;
      this.counters.written += done;
      written.splice(0, done);
      writtenTimes.splice(0, done);
      const room = Math.max(0, this.maxQueued - this.queue.length);
      const keep = Math.min(room, written.length);
      this.counters.dropped += written.length - keep;
      this.queue = written.slice(written.length - keep).concat(this.queue);
      this.times = writtenTimes.slice(writtenTimes.length - keep).concat(this.times);
      throw error;
    }
    this.counters.written += rows.length;
    return rows.length;
  }
}
