/**
 * The change log (migration 0014): the notes of changes that every app node's in-memory state
 * must follow (memberChanges.ts `ChangeNote`), each written by the node that made the change in
 * the change's own transaction, so a note exists exactly when its change committed. Other nodes
 * read them through the change feed (changeFeed.ts). A payload is the note's JSON without its
 * kind; it holds member ids, movie ids and ratings, never an e-mail or a token.
 */
import type SqliteDatabase from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { Database } from '../db/schema.ts';
import type { ChangeKind, ChangeNote } from './memberChanges.ts';

/** Notes are kept this long (a node that was down longer restarts with fresh state anyway). */
export const CHANGE_LOG_KEEP_MS = 24 * 3600 * 1000;

export interface LoggedNote {
  id: number;
  /** The node that made the change. */
  node: string;
  /** The note, or why this version cannot read it (a newer node's kind, a damaged row). */
  note: ChangeNote | Error;
}

function row(node: string, note: ChangeNote) {
  const { kind, ...rest } = note;
  return { node, kind, payload: JSON.stringify(rest), created_at: Date.now() };
}

/** Writes the note (pass the change's transaction). */
export async function writeNote(
  executor: Kysely<Database>,
  node: string,
  note: ChangeNote,
): Promise<void> {
  await executor.insertInto('change_log').values(row(node, note)).execute();
}

const sqliteInserts = new WeakMap<SqliteDatabase.Database, SqliteDatabase.Statement>();

/** Writes the note from inside a synchronous SQLite transaction (ratings.ts's fast path). */
export function writeNoteSync(sqlite: SqliteDatabase.Database, node: string, note: ChangeNote) {
  let insert = sqliteInserts.get(sqlite);
  if (!insert) {
    insert = sqlite.prepare(
      'INSERT INTO change_log (node, kind, payload, created_at) VALUES (@node, @kind, @payload, @created_at)',
    );
    sqliteInserts.set(sqlite, insert);
  }
  insert.run(row(node, note));
}

/** The newest note's id (0 when there is none): a new node follows the notes after it. */
export async function lastNoteId(db: Db): Promise<number> {
  const { last } = await db.kysely
    .selectFrom('change_log')
    .select((eb) => eb.fn.max('id').as('last'))
    .executeTakeFirstOrThrow();
  return Number(last ?? 0);
}

/** The notes after `afterId`, oldest first, at most `limit`. */
export async function notesAfter(db: Db, afterId: number, limit: number): Promise<LoggedNote[]> {
  const rows = await db.kysely
    .selectFrom('change_log')
    .select(['id', 'node', 'kind', 'payload'])
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => logged(r));
}

/** One note by id, or null (pruned). */
export async function noteById(db: Db, id: number): Promise<LoggedNote | null> {
  const r = await db.kysely
    .selectFrom('change_log')
    .select(['id', 'node', 'kind', 'payload'])
    .where('id', '=', id)
    .executeTakeFirst();
  return r ? logged(r) : null;
}

/** A row as a LoggedNote (its parse error instead of the note when it cannot be read). */
export function logged(row: {
  id: number;
  node: string;
  kind: string;
  payload: string;
}): LoggedNote {
  let note: ChangeNote | Error;
  try {
    note = parseNote(row.kind, row.payload);
  } catch (error) {
    note = error as Error;
  }
  return { id: Number(row.id), node: row.node, note };
}

/** Deletes the notes older than CHANGE_LOG_KEEP_MS. */
export async function pruneNotes(db: Db, now = Date.now()): Promise<void> {
  await db.kysely
    .deleteFrom('change_log')
    .where('created_at', '<', now - CHANGE_LOG_KEEP_MS)
    .execute();
}

const KINDS: readonly ChangeKind[] = [
  'rating',
  'choice',
  'list',
  'deletion',
  'sessions',
  'experiments',
  'model',
];

/**
 * A stored note, checked: a kind this version knows and the fields its listeners read. Throws
 * naming the kind otherwise (a node of a newer version may write kinds this one does not know).
 */
function parseNote(kind: string, payload: string): ChangeNote {
  if (!(KINDS as readonly string[]).includes(kind))
    throw new Error(`change log: unknown kind "${kind}"`);
  const data = JSON.parse(payload) as Record<string, unknown>;
  const note = { kind, ...data } as ChangeNote;
  const member = (value: unknown) => Number.isSafeInteger(value);
  const valid =
    note.kind === 'rating'
      ? member(note.change?.memberId) && member(note.change?.movieId)
      : note.kind === 'choice'
        ? member(note.change?.memberId) && typeof note.change?.choice === 'string'
        : note.kind === 'list'
          ? member(note.change?.memberId) && member(note.change?.movieId)
          : note.kind === 'deletion'
            ? member(note.memberId) && Array.isArray(note.ratings)
            : note.kind === 'sessions'
              ? member(note.memberId)
              : true;
  if (!valid) throw new Error(`change log: a "${kind}" note lacks its fields`);
  return note;
}
