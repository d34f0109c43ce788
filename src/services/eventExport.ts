/**
 * Reading the event log, and its export to CSV or JSON Lines: streamed page by page (keyset on
 * time and id), pseudonymous ids only; an empty range gives a CSV with just its header (an empty
 * JSON Lines file).
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { sql, type Selectable } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { EventsTable } from '../db/schema.ts';
import { appendAuditEntry } from './accessAudit.ts';
import { invalid } from './errors.ts';
import { EVENT_KINDS, type EventKind } from './eventKinds.ts';

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

/** A stored row as an event. */
export function storedEvent(
  row: Pick<
    Selectable<EventsTable>,
    'id' | 'occurred_at_ms' | 'kind' | 'user_id' | 'visitor_id' | 'payload'
  >,
): StoredEvent {
  return {
    id: Number(row.id),
    occurredAt: Number(row.occurred_at_ms),
    kind: row.kind as EventKind,
    memberId: row.user_id,
    visitorId: row.visitor_id,
    data: JSON.parse(row.payload) as Record<string, unknown>,
  };
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
    for (const row of rows) yield storedEvent(row);
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
  'choice',
  'previous_choice',
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
  choice: 'choice',
  previousChoice: 'previous_choice',
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

export interface EventExportRequest {
  format: string;
  /** ISO date (midnight UTC) or time, inclusive. */
  since?: string;
  /** ISO date or time, exclusive. */
  until?: string;
  /** The researcher's id, or null from the command line. */
  actorId: number | null;
  via: 'console' | 'command line';
  /** How the caller names each field in errors (default: format, since, until). */
  names?: { format: string; since: string; until: string };
}

export interface AuditedEventExport {
  format: ExportFormat;
  range: { since?: number; until?: number };
  /** Writes the events to `out` (see exportEvents); resolves to the number written. */
  run(out: Writable, onProgress?: (rows: number) => void): Promise<number>;
}

/**
 * The export workflow of the console and the command line: checks the request (errors name the
 * caller's field), records it in the access-audit log, then hands back the export to run.
 */
export async function auditedEventExport(
  db: Db,
  request: EventExportRequest,
): Promise<AuditedEventExport> {
  const names = request.names ?? { format: 'format', since: 'since', until: 'until' };
  if (request.format !== 'csv' && request.format !== 'jsonl') {
    throw invalid(`${names.format}: unknown format "${request.format}" (expected csv or jsonl)`, [
      { path: names.format, message: 'expected csv or jsonl' },
    ]);
  }
  const format: ExportFormat = request.format;
  const range = eventRange(request, names);
  await appendAuditEntry(db, {
    actorId: request.actorId,
    action: 'events_exported',
    detail: {
      format,
      since: request.since ?? null,
      until: request.until ?? null,
      via: request.via,
    },
  });
  return {
    format,
    range,
    run: (out, onProgress) => exportEvents(db, format, out, range, onProgress),
  };
}

/**
 * A time range of the event log from ISO dates or times (Unix ms; since inclusive, until
 * exclusive); errors name the caller's fields.
 */
export function eventRange(
  request: { since?: string; until?: string },
  names: { since: string; until: string } = { since: 'since', until: 'until' },
): { since?: number; until?: number } {
  const since = parseDate(names.since, request.since);
  const until = parseDate(names.until, request.until);
  if (since !== undefined && until !== undefined && !(since < until)) {
    throw invalid(
      `${names.until} (${request.until}) must be after ${names.since} (${request.since})`,
      [{ path: names.until, message: `must be after ${names.since}` }],
    );
  }
  return { since, until };
}

/** `2026-01-31` (midnight UTC) or an ISO-8601 time → Unix ms; a clear error naming the field. */
function parseDate(field: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  const ms = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(
    text,
  )
    ? Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text)
    : NaN;
  if (!Number.isFinite(ms)) {
    throw invalid(
      `${field}: "${value}" is not a date (expected 2026-01-31 or 2026-01-31T12:00:00Z)`,
      [{ path: field, message: 'is not a date' }],
    );
  }
  return ms;
}
