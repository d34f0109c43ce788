/**
 * A movie's ratings that members chose to share (privacy.ts: 'public' or 'anonymous'), newest
 * first, for the movie page. Read live, so a member who turns private or deletes their account is
 * gone from the next request. An anonymous entry carries only the stars and the month: no id, no
 * name, and rows that tie on time and stars are ordered so that their order reveals nothing else.
 */
import type { Db } from '../db/connection.ts';
import { SHARED_VISIBILITIES } from './privacy.ts';

export interface SharedRating {
  /** The username of a member who shares publicly; null for "a member" (anonymous). */
  username: string | null;
  rating: number;
  /** The month of the rating, "YYYY-MM" (UTC): never the exact time. */
  month: string;
}

export async function sharedRatingsOf(
  db: Db,
  movieId: number,
  page: number,
  pageSize: number,
): Promise<{ items: SharedRating[]; total: number }> {
  const shared = db.kysely
    .selectFrom('ratings as r')
    .innerJoin('privacy_settings as p', 'p.user_id', 'r.user_id')
    .where('r.movie_id', '=', movieId)
    .where('p.ratings_visibility', 'in', SHARED_VISIBILITIES);
  const { total } = await shared
    .select((eb) => eb.fn.countAll<number | string>().as('total'))
    .executeTakeFirstOrThrow();
  const rows = await shared
    .select(['r.rating', 'r.rated_at', 'p.ratings_visibility', 'p.username'])
    .orderBy('r.rated_at', 'desc')
    .orderBy('r.rating', 'desc')
    // Ties beyond time and stars: anonymous rows first, then by username; user_id only orders
    // anonymous rows that look exactly alike.
    .orderBy('p.ratings_visibility')
    .orderBy('p.username')
    .orderBy('r.user_id')
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();
  return {
    total: Number(total),
    items: rows.map((row) => ({
      username: row.ratings_visibility === 'public' ? row.username : null,
      rating: Number(row.rating),
      month: new Date(Number(row.rated_at) * 1000).toISOString().slice(0, 7),
    })),
  };
}
