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
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { sql, type Insertable } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { EventsTable } from '../db/schema.ts';
import {
  eventWriter,
  PartialWriteError,
  type EventWriter,
  type EventWriterKind,
} from './eventWriters.ts';

// ---- event kinds ---------------------------------------------------------------------------

export const EVENT_KINDS = [
  'login',
  'login_failed',
  'page',
  'rating',
  'predictions_shown',
  'search',
  'recommendation_click',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Who did it, and when. A member is known only by the numeric pseudonymous id. */
export interface EventActor {
  /** The member's pseudonymous id (users.id), when logged in. */
  memberId?: number | null;
  /** An anonymous visitor's random cookie id (see `newVisitorId`), when not logged in. */
  visitorId?: string | null;
  /** Unix milliseconds; defaults to the time of `record()`. */
  at?: number;
}

export interface LoginEvent extends EventActor {
  kind: 'login';
  memberId: number;
}

export const LOGIN_FAILURE_REASONS = [
  'wrong-credentials',
  'rate-limited',
  'invalid-input',
] as const;
export type LoginFailureReason = (typeof LOGIN_FAILURE_REASONS)[number];

/** A failed login: never the typed e-mail (the event has no field for it). */
export interface LoginFailedEvent extends EventActor {
  kind: 'login_failed';
  reason?: LoginFailureReason;
}

/** A page or API request: the route pattern (`/movies/:id`), never the query string. */
export interface PageEvent extends EventActor {
  kind: 'page';
  route: string;
  method?: string;
  status?: number;
}

/** A rating set, changed or removed (`rating: null`). */
export interface RatingEvent extends EventActor {
  kind: 'rating';
  memberId: number;
  movieId: number;
  rating: number | null;
  previousRating: number | null;
}

/** Where predictions were shown: `recommendations` lists count for click-through. */
export type PredictionContext =
  'recommendations' | 'movie' | 'explore' | 'similar' | 'onboarding' | 'profile';

/**
 * Predictions or recommendations shown to a member, one entry per movie, in display order.
 * The log keeps references to the arrays until the next flush: do not change them afterwards.
 */
export interface PredictionsShownEvent extends EventActor {
  kind: 'predictions_shown';
  context: PredictionContext;
  movieIds: ArrayLike<number>;
  predictedRatings: ArrayLike<number>;
  /** 1-based positions on the page; default 1..n. */
  positions?: ArrayLike<number>;
  modelId: string;
  modelVersion: string | number;
  /** The experiment and variant that chose what was shown, if any. */
  experiment?: string | null;
  variant?: string | null;
}

export interface SearchEvent extends EventActor {
  kind: 'search';
  query: string;
  resultCount: number;
}

export interface RecommendationClickEvent extends EventActor {
  kind: 'recommendation_click';
  movieId: number;
  /** 1-based position in the list that was clicked. */
  position?: number | null;
  context?: PredictionContext;
}

export type ResearchEvent =
  | LoginEvent
  | LoginFailedEvent
  | PageEvent
  | RatingEvent
  | PredictionsShownEvent
  | SearchEvent
  | RecommendationClickEvent;

// ---- anonymous visitors ----------------------------------------------------------------------

/** The cookie that carries an anonymous visitor's id. */
export const VISITOR_COOKIE = 'lenslab_visitor';
const VISITOR_ID_PATTERN = /^v_[A-Za-z0-9_-]{22}$/;

const VISITOR_ID_BYTES = 16;
/** Random bytes drawn 256 ids at a time: one call into the CSPRNG costs as much as the 256. */
let visitorIdPool = Buffer.alloc(0);
let visitorIdPoolOffset = 0;

/** A fresh random visitor id (128 random bits): nothing about the visitor goes into it. */
export function newVisitorId(): string {
  if (visitorIdPoolOffset + VISITOR_ID_BYTES > visitorIdPool.length) {
    visitorIdPool = randomBytes(256 * VISITOR_ID_BYTES);
    visitorIdPoolOffset = 0;
  }
  const bytes = visitorIdPool.subarray(visitorIdPoolOffset, visitorIdPoolOffset + VISITOR_ID_BYTES);
  visitorIdPoolOffset += VISITOR_ID_BYTES;
  return `v_${bytes.toString('base64url')}`;
}

/** True for ids made by `newVisitorId`; anything else in the cookie is ignored, never logged. */
export function isVisitorId(value: unknown): value is string {
  return typeof value === 'string' && VISITOR_ID_PATTERN.test(value);
}

/**
 * The visitor id for a request without a session: the cookie's value when it is one of ours,
 * else a fresh one (`isNew`: set the cookie, e.g. HttpOnly, SameSite=Lax, a year).
 */
export function visitorIdFrom(cookie: string | undefined | null): { id: string; isNew: boolean } {
  return isVisitorId(cookie) ? { id: cookie, isNew: false } : { id: newVisitorId(), isNew: true };
}

// ---- serialization (at flush time, off the request path) ------------------------------------

/** A recorded event that cannot be stored (a bug in the caller): dropped, reported to onError. */
export class InvalidEventError extends Error {
  constructor(kind: unknown, problem: string) {
    super(`event log: dropped an invalid ${String(kind)} event: ${problem}`);
    this.name = 'InvalidEventError';
  }
}

const MAX_TEXT = 200;
// Spaces around the @ too (`bob @ example.org`); lookalike at-signs (`＠`, `﹫`) become `@`
// under NFKC before this runs.
const EMAIL_IN_TEXT = /[^\s@<>()[\],;:"']+\s*@\s*[^\s@<>()[\],;:"']+/g;
const PREDICTION_CONTEXTS = new Set<string>([
  'recommendations',
  'movie',
  'explore',
  'similar',
  'onboarding',
  'profile',
]);

/** Free text a member typed: NFKC-normalized, e-mail addresses replaced, length capped. */
export function scrubText(text: string): string {
  return text.normalize('NFKC').replace(EMAIL_IN_TEXT, '[e-mail removed]').slice(0, MAX_TEXT);
}

/** A route pattern: no query string or fragment, no e-mail addresses, capped length. */
export function scrubRoute(route: string): string {
  const cut = route.search(/[?#]/);
  return scrubText(cut === -1 ? route : route.slice(0, cut));
}

function wholeNumber(kind: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new InvalidEventError(kind, `${field} must be a whole number, got ${String(value)}`);
  }
  return value;
}

function finite(kind: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidEventError(kind, `${field} must be a finite number, got ${String(value)}`);
  }
  return value;
}

function optionalRating(kind: string, field: string, value: unknown): number | null {
  return value === null || value === undefined ? null : finite(kind, field, value);
}

function shortText(kind: string, field: string, value: unknown): string {
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new InvalidEventError(kind, `${field} must be text`);
  }
  return String(value).slice(0, MAX_TEXT);
}

function optionalShortText(kind: string, field: string, value: unknown): string | null {
  return value === null || value === undefined ? null : shortText(kind, field, value);
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** The kind's whitelisted fields, checked; throws InvalidEventError. */
function payloadOf(event: ResearchEvent, memberId: number | null): Record<string, unknown> {
  const kind = event.kind;
  switch (kind) {
    case 'login':
      if (memberId === null) throw new InvalidEventError(kind, 'memberId is required');
      return {};
    case 'login_failed': {
      const reason = event.reason ?? 'wrong-credentials';
      if (!(LOGIN_FAILURE_REASONS as readonly string[]).includes(reason)) {
        throw new InvalidEventError(kind, `unknown reason "${String(reason)}"`);
      }
      return { reason };
    }
    case 'page': {
      const payload: Record<string, unknown> = {
        route: scrubRoute(shortText(kind, 'route', event.route)),
      };
      if (event.method !== undefined)
        payload.method = shortText(kind, 'method', event.method).toUpperCase();
      if (event.status !== undefined) payload.status = wholeNumber(kind, 'status', event.status);
      return payload;
    }
    case 'rating':
      if (memberId === null) throw new InvalidEventError(kind, 'memberId is required');
      return {
        movieId: wholeNumber(kind, 'movieId', event.movieId),
        rating: optionalRating(kind, 'rating', event.rating),
        previousRating: optionalRating(kind, 'previousRating', event.previousRating),
      };
    case 'predictions_shown': {
      if (!PREDICTION_CONTEXTS.has(event.context)) {
        throw new InvalidEventError(kind, `unknown context "${String(event.context)}"`);
      }
      const n = event.movieIds?.length ?? -1;
      if (n < 0 || event.predictedRatings?.length !== n) {
        throw new InvalidEventError(
          kind,
          'movieIds and predictedRatings must have the same length',
        );
      }
      if (event.positions !== undefined && event.positions.length !== n) {
        throw new InvalidEventError(kind, 'positions must have the same length as movieIds');
      }
      const movieIds = new Array<number>(n);
      const predictedRatings = new Array<number>(n);
      const positions = new Array<number>(n);
      for (let i = 0; i < n; i++) {
        movieIds[i] = wholeNumber(kind, 'movieIds', event.movieIds[i]);
        predictedRatings[i] = round4(finite(kind, 'predictedRatings', event.predictedRatings[i]));
        positions[i] = event.positions ? wholeNumber(kind, 'positions', event.positions[i]) : i + 1;
      }
      return {
        context: event.context,
        modelId: shortText(kind, 'modelId', event.modelId),
        modelVersion: shortText(kind, 'modelVersion', event.modelVersion),
        experiment: optionalShortText(kind, 'experiment', event.experiment),
        variant: optionalShortText(kind, 'variant', event.variant),
        movieIds,
        predictedRatings,
        positions,
      };
    }
    case 'search':
      return {
        query: scrubText(shortText(kind, 'query', event.query)),
        resultCount: wholeNumber(kind, 'resultCount', event.resultCount),
      };
    case 'recommendation_click': {
      const payload: Record<string, unknown> = {
        movieId: wholeNumber(kind, 'movieId', event.movieId),
      };
      if (event.position !== undefined && event.position !== null) {
        payload.position = wholeNumber(kind, 'position', event.position);
      }
      if (event.context !== undefined) {
        if (!PREDICTION_CONTEXTS.has(event.context)) {
          throw new InvalidEventError(kind, `unknown context "${String(event.context)}"`);
        }
        payload.context = event.context;
      }
      return payload;
    }
    default:
      throw new InvalidEventError(kind, 'unknown kind');
  }
}

/** The table row for an event recorded at `at` (Unix ms); throws InvalidEventError. */
export function eventRow(event: ResearchEvent, at: number): Insertable<EventsTable> {
  const memberId =
    event.memberId === undefined || event.memberId === null
      ? null
      : wholeNumber(event.kind, 'memberId', event.memberId);
  // Only our own random ids: a forged cookie (an e-mail, an IP address) is never stored.
  const visitorId = memberId === null && isVisitorId(event.visitorId) ? event.visitorId : null;
  return {
    occurred_at_ms: Math.round(finite(event.kind, 'at', at)),
    kind: event.kind,
    user_id: memberId,
    visitor_id: visitorId,
    payload: JSON.stringify(payloadOf(event, memberId)),
  };
}

// ---- the log ---------------------------------------------------------------------------------

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

// ---- retention and deletion ------------------------------------------------------------------

export const DEFAULT_PAGE_RETENTION_DAYS = 90;
const DAY_MS = 86_400_000;

/** How long page-request rows are kept: LENSLAB_PAGE_EVENTS_RETENTION_DAYS, default 90. */
export function pageRetentionDays(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.LENSLAB_PAGE_EVENTS_RETENTION_DAYS;
  if (value === undefined || value === '') return DEFAULT_PAGE_RETENTION_DAYS;
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0) {
    throw new RangeError(
      `LENSLAB_PAGE_EVENTS_RETENTION_DAYS must be a positive number of days, got "${value}"`,
    );
  }
  return Number(value);
}

/** Deletes page-request rows older than `olderThanDays`; resolves to the rows deleted. */
export async function purgePageEvents(
  db: Db,
  olderThanDays: number,
  now: number = Date.now(),
): Promise<number> {
  if (!(olderThanDays > 0))
    throw new RangeError(`the retention age must be positive, got ${olderThanDays}`);
  const cutoff = Math.floor(now - olderThanDays * DAY_MS);
  const result = await db.kysely
    .deleteFrom('events')
    .where('kind', '=', 'page')
    .where('occurred_at_ms', '<', cutoff)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export interface PurgeSchedule {
  stop(): void;
}

/**
 * Runs `purgePageEvents` now and then every `intervalMs` (default 6 h) on an unref'd timer
 * (it never keeps the process alive). Results go to onPurged, failures to onError.
 */
export function schedulePagePurge(
  db: Db,
  options: {
    retentionDays?: number;
    intervalMs?: number;
    onPurged?: (rows: number) => void;
    onError?: (error: unknown) => void;
  } = {},
): PurgeSchedule {
  const retentionDays = options.retentionDays ?? pageRetentionDays();
  const onError = options.onError ?? ((error: unknown) => console.error(error));
  let running = false;
  const run = () => {
    if (running) return;
    running = true;
    purgePageEvents(db, retentionDays)
      .then((rows) => options.onPurged?.(rows))
      .catch(onError)
      .finally(() => {
        running = false;
      });
  };
  const timer = setInterval(run, options.intervalMs ?? 6 * 3_600_000);
  timer.unref();
  run();
  return { stop: () => clearInterval(timer) };
}

/** Deletes every stored event of a member (account deletion); resolves to the rows deleted. */
export async function deleteMemberEvents(db: Db, memberId: number): Promise<number> {
  const result = await db.kysely
    .deleteFrom('events')
    .where('user_id', '=', memberId)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

// ---- reading and export ------------------------------------------------------------------------

export interface StoredEvent {
  id: number;
  /** Unix milliseconds. */
  occurredAt: number;
  kind: EventKind;
  memberId: number | null;
  visitorId: string | null;
  data: Record<string, unknown>;
}

export interface EventQuery {
  /** Unix ms, inclusive. */
  since?: number;
  /** Unix ms, exclusive. */
  until?: number;
  kinds?: readonly EventKind[];
  memberId?: number;
  /** Rows fetched per query (default 5000). */
  pageSize?: number;
}

/** Every matching event in time order, fetched page by page (keyset on time and id). */
export async function* readEvents(db: Db, query: EventQuery = {}): AsyncGenerator<StoredEvent> {
  const pageSize = query.pageSize ?? 5000;
  let after: { time: number; id: number } | null = null;
  for (;;) {
    let select = db.kysely
      .selectFrom('events')
      .select(['id', 'occurred_at_ms', 'kind', 'user_id', 'visitor_id', 'payload'])
      .orderBy('occurred_at_ms')
      .orderBy('id')
      .limit(pageSize);
    if (query.since !== undefined) select = select.where('occurred_at_ms', '>=', query.since);
    if (query.until !== undefined) select = select.where('occurred_at_ms', '<', query.until);
    if (query.kinds) select = select.where('kind', 'in', [...query.kinds]);
    if (query.memberId !== undefined) select = select.where('user_id', '=', query.memberId);
    if (after) {
      const { time, id } = after;
      select = select.where(sql<boolean>`(occurred_at_ms, id) > (${time}, ${id})`);
    }
    const rows = await select.execute();
    for (const row of rows) {
      yield {
        id: Number(row.id),
        occurredAt: Number(row.occurred_at_ms),
        kind: row.kind as EventKind,
        memberId: row.user_id,
        visitorId: row.visitor_id,
        data: JSON.parse(row.payload) as Record<string, unknown>,
      };
    }
    if (rows.length < pageSize) return;
    const last = rows[rows.length - 1];
    after = { time: Number(last.occurred_at_ms), id: Number(last.id) };
  }
}

export type ExportFormat = 'csv' | 'jsonl';

/** The CSV columns: one per field of any kind; arrays are space-separated. */
export const CSV_COLUMNS = [
  'id',
  'occurred_at',
  'kind',
  'member_id',
  'visitor_id',
  'route',
  'method',
  'status',
  'reason',
  'movie_id',
  'rating',
  'previous_rating',
  'query',
  'result_count',
  'context',
  'position',
  'model_id',
  'model_version',
  'experiment',
  'variant',
  'movie_ids',
  'predicted_ratings',
  'positions',
] as const;

/** payload field → CSV column */
const CSV_FIELD_COLUMNS: Record<string, (typeof CSV_COLUMNS)[number]> = {
  route: 'route',
  method: 'method',
  status: 'status',
  reason: 'reason',
  movieId: 'movie_id',
  rating: 'rating',
  previousRating: 'previous_rating',
  query: 'query',
  resultCount: 'result_count',
  context: 'context',
  position: 'position',
  modelId: 'model_id',
  modelVersion: 'model_version',
  experiment: 'experiment',
  variant: 'variant',
  movieIds: 'movie_ids',
  predictedRatings: 'predicted_ratings',
  positions: 'positions',
};
const CSV_COLUMN_INDEX = new Map<string, number>(CSV_COLUMNS.map((name, i) => [name, i]));

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = Array.isArray(value) ? value.join(' ') : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\n`;
}

export function csvLine(event: StoredEvent): string {
  const cells = new Array<string>(CSV_COLUMNS.length).fill('');
  cells[0] = String(event.id);
  cells[1] = new Date(event.occurredAt).toISOString();
  cells[2] = event.kind;
  cells[3] = event.memberId === null ? '' : String(event.memberId);
  cells[4] = csvCell(event.visitorId);
  for (const [field, value] of Object.entries(event.data)) {
    const column = CSV_FIELD_COLUMNS[field];
    if (column) cells[CSV_COLUMN_INDEX.get(column)!] = csvCell(value);
  }
  return `${cells.join(',')}\n`;
}

export function jsonLine(event: StoredEvent): string {
  return `${JSON.stringify({
    id: event.id,
    occurredAt: new Date(event.occurredAt).toISOString(),
    kind: event.kind,
    memberId: event.memberId,
    visitorId: event.visitorId,
    ...event.data,
  })}\n`;
}

/**
 * Writes the matching events to `out` as CSV (header first, always) or JSON Lines, respecting
 * back-pressure. Does not end `out`. Resolves to the number of events written.
 */
export async function exportEvents(
  db: Db,
  format: ExportFormat,
  out: Writable,
  query: EventQuery = {},
  onProgress?: (rows: number) => void,
): Promise<number> {
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  if (format === 'csv') await write(csvHeader());
  const line = format === 'csv' ? csvLine : jsonLine;
  let count = 0;
  let buffer = '';
  for await (const event of readEvents(db, query)) {
    buffer += line(event);
    count++;
    if (buffer.length >= 65_536) {
      await write(buffer);
      buffer = '';
      onProgress?.(count);
    }
  }
  if (buffer) await write(buffer);
  onProgress?.(count);
  return count;
}

/** Events per kind in a time range (Unix ms, since inclusive, until exclusive). */
export async function countEvents(
  db: Db,
  query: Pick<EventQuery, 'since' | 'until'> = {},
): Promise<Record<EventKind, number>> {
  let select = db.kysely
    .selectFrom('events')
    .select(['kind', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('kind');
  if (query.since !== undefined) select = select.where('occurred_at_ms', '>=', query.since);
  if (query.until !== undefined) select = select.where('occurred_at_ms', '<', query.until);
  const counts = Object.fromEntries(EVENT_KINDS.map((kind) => [kind, 0])) as Record<
    EventKind,
    number
  >;
  for (const row of await select.execute()) counts[row.kind as EventKind] = Number(row.n);
  return counts;
}
