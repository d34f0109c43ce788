/** A member's ratings in the database (whole stars 1–5 from the web site). */
import type { Db } from '../db/connection.ts';
import { nowSeconds } from './clock.ts';

export interface StoredRating {
  movieId: number;
  rating: number;
  ratedAt: number;
}

/** Sets a rating; returns the previous rating (null if none) and the stored one. */
export async function putRating(
  db: Db,
  userId: number,
  movieId: number,
  rating: number,
): Promise<{ previous: number | null; stored: StoredRating }> {
  const ratedAt = nowSeconds();
  return db.kysely.transaction().execute(async (trx) => {
    const old = await trx
      .selectFrom('ratings')
      .select('rating')
      .where('user_id', '=', userId)
      .where('movie_id', '=', movieId)
      .executeTakeFirst();
    await trx
      .insertInto('ratings')
      .values({ user_id: userId, movie_id: movieId, rating, rated_at: ratedAt })
      .onConflict((oc) =>
        oc.columns(['user_id', 'movie_id']).doUpdateSet({ rating, rated_at: ratedAt }),
      )
      .execute();
    return { previous: old ? Number(old.rating) : null, stored: { movieId, rating, ratedAt } };
  });
}

/** Removes a rating; returns the removed rating, or null when there was none. */
export async function deleteRating(
  db: Db,
  userId: number,
  movieId: number,
): Promise<number | null> {
  return db.kysely.transaction().execute(async (trx) => {
    const old = await trx
      .selectFrom('ratings')
      .select('rating')
      .where('user_id', '=', userId)
      .where('movie_id', '=', movieId)
      .executeTakeFirst();
    if (!old) return null;
    await trx
      .deleteFrom('ratings')
      .where('user_id', '=', userId)
      .where('movie_id', '=', movieId)
      .execute();
    return Number(old.rating);
  });
}

/** All of a member's ratings, newest first. */
export async function ratingsOf(db: Db, userId: number): Promise<StoredRating[]> {
  const rows = await db.kysely
    .selectFrom('ratings')
    .select(['movie_id', 'rating', 'rated_at'])
    .where('user_id', '=', userId)
    .orderBy('rated_at', 'desc')
    .orderBy('movie_id')
    .execute();
  return rows.map((r) => ({
    movieId: r.movie_id,
    rating: Number(r.rating),
    ratedAt: Number(r.rated_at),
  }));
}
