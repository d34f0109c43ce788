/**
 * A member's wishlist ("want to watch") and hidden movies ("not interested"): never recommended
 * again, filterable in Explore, part of the data export and gone with the account. A movie is on
 * at most one of the two lists: putting it on one takes it off the other. The workflows
 * `addToList`/`removeFromList` write the database with a note for the other nodes, then tell
 * MemberChanges (the recommender keeps each member's listed movies with its state).
 */
import type { Db } from '../db/connection.ts';
import type { Catalog } from './catalog.ts';
import { writeNote } from './changeLog.ts';
import { isoTime, nowSeconds } from './clock.ts';
import { notFound, unauthenticated } from './errors.ts';
import type { MemberChanges } from './memberChanges.ts';

export const MEMBER_LISTS = ['wishlist', 'hidden'] as const;
export type MemberList = (typeof MEMBER_LISTS)[number];

export interface ListedMovie {
  movieId: number;
  list: MemberList;
  addedAt: number;
}

export interface ListWorkflow {
  db: Db;
  catalog: Catalog;
  changes: MemberChanges;
}

/** Puts a movie on one of the member's lists (moving it off the other one). */
export async function addToList(
  { db, catalog, changes }: ListWorkflow,
  memberId: number,
  movieId: number,
  list: MemberList,
): Promise<void> {
  if (catalog.indexOf(movieId) < 0) throw notFound(`movie ${movieId} does not exist`);
  const change = { memberId, movieId, list };
  await db.kysely.transaction().execute(async (trx) => {
    await trx
      .insertInto('member_lists')
      .values({ user_id: memberId, movie_id: movieId, list, added_at: nowSeconds() })
      .onConflict((c) =>
        c.columns(['user_id', 'movie_id']).doUpdateSet((eb) => ({
          list: eb.ref('excluded.list'),
          added_at: eb.ref('excluded.added_at'),
        })),
      )
      .execute();
    await writeNote(trx, changes.node, { kind: 'list', change });
  });
  changes.listChanged(change);
}

/** Takes a movie off the list (not found when it is not on it: nothing changes). */
export async function removeFromList(
  { db, changes }: ListWorkflow,
  memberId: number,
  movieId: number,
  list: MemberList,
): Promise<void> {
  const change = { memberId, movieId, list: null };
  await db.kysely.transaction().execute(async (trx) => {
    const result = await trx
      .deleteFrom('member_lists')
      .where('user_id', '=', memberId)
      .where('movie_id', '=', movieId)
      .where('list', '=', list)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) === 0)
      throw notFound(`movie ${movieId} is not on your ${list}`);
    await writeNote(trx, changes.node, { kind: 'list', change });
  });
  changes.listChanged(change);
}

/** The member's listed movies, newest first. */
export async function listedMovies(
  db: Db,
  memberId: number,
  list?: MemberList,
): Promise<ListedMovie[]> {
  let query = db.kysely
    .selectFrom('member_lists')
    .select(['movie_id', 'list', 'added_at'])
    .where('user_id', '=', memberId);
  if (list) query = query.where('list', '=', list);
  const rows = await query.orderBy('added_at', 'desc').orderBy('movie_id').execute();
  return rows.map((row) => ({
    movieId: row.movie_id,
    list: row.list as MemberList,
    addedAt: Number(row.added_at),
  }));
}

/** The list a movie is on for the member, or null. */
export async function listOf(
  db: Db,
  memberId: number,
  movieId: number,
): Promise<MemberList | null> {
  const row = await db.kysely
    .selectFrom('member_lists')
    .select('list')
    .where('user_id', '=', memberId)
    .where('movie_id', '=', movieId)
    .executeTakeFirst();
  return (row?.list as MemberList | undefined) ?? null;
}

/** Movie ids never to recommend to the member: both lists (already on the wishlist, or hidden). */
export async function excludedFromRecommendations(db: Db, memberId: number): Promise<Set<number>> {
  return new Set((await listedMovies(db, memberId)).map((row) => row.movieId));
}

/**
 * What Explore keeps of the catalog for a viewer: only the movies of `list` when asked (members
 * only), else everything but the member's hidden movies.
 */
export async function exploreLists(
  db: Db,
  memberId: number | null,
  list: MemberList | undefined,
): Promise<{ only?: Set<number>; exclude?: Set<number> }> {
  if (memberId === null) {
    if (list) throw unauthenticated(`log in to see your ${list}`);
    return {};
  }
  if (list)
    return { only: new Set((await listedMovies(db, memberId, list)).map((r) => r.movieId)) };
  const hidden = await listedMovies(db, memberId, 'hidden');
  return hidden.length > 0 ? { exclude: new Set(hidden.map((r) => r.movieId)) } : {};
}

/** The lists as the data export shows them. */
export async function exportLists(
  db: Db,
  memberId: number,
): Promise<Record<MemberList, Array<{ movieId: number; addedAt: string }>>> {
  const rows = await listedMovies(db, memberId);
  const of = (list: MemberList) =>
    rows
      .filter((row) => row.list === list)
      .map((row) => ({ movieId: row.movieId, addedAt: isoTime(row.addedAt) }));
  return { wishlist: of('wishlist'), hidden: of('hidden') };
}
