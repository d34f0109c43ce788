/**
 * The researcher console's overview of the dataset: members, movies and ratings, ratings per
 * day and the rating distribution.
 */
import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import { countRows } from './datasets.ts';

export interface DatasetOverview {
  members: number;
  movies: number;
  ratings: number;
  /**
   * Every calendar day of the window, oldest first, days without ratings as 0: the last `days`
   * days up to the day of the newest rating (empty when there are no ratings).
   */
  ratingsPerDay: Array<{ day: string; ratings: number }>;
  ratingDistribution: Array<{ rating: number; ratings: number }>;
}

const DAY_SECONDS = 86_400;

/**
 * The overview, with ratings per day over the last `days` (default 365) calendar days. The window
 * ends on the day of the newest rating rather than today, so a catalog whose ratings all lie in
 * the past (the demo catalog, an imported MovieLens set) still shows them; once members rate, the
 * newest rating is today's.
 */
export async function datasetOverview(db: Db, days = 365): Promise<DatasetOverview> {
  const counts = await countRows(db);
  const newest = await db.kysely
    .selectFrom('ratings')
    .select((eb) => eb.fn.max('rated_at').as('newest'))
    .executeTakeFirst();
  const day = sql<number>`floor(rated_at / ${sql.lit(DAY_SECONDS)})`;
  let ratingsPerDay: DatasetOverview['ratingsPerDay'] = [];
  if (newest?.newest != null) {
    const last = Math.floor(Number(newest.newest) / DAY_SECONDS);
    const first = last - days + 1;
    const perDay = await db.kysely
      .selectFrom('ratings')
      .select([day.as('day'), (eb) => eb.fn.countAll<number>().as('n')])
      .where('rated_at', '>=', first * DAY_SECONDS)
      .groupBy(day)
      .execute();
    const counted = new Map(perDay.map((row) => [Number(row.day), Number(row.n)]));
    ratingsPerDay = Array.from({ length: days }, (_, i) => ({
      day: new Date((first + i) * DAY_SECONDS * 1000).toISOString().slice(0, 10),
      ratings: counted.get(first + i) ?? 0,
    }));
  }
  const distribution = await db.kysely
    .selectFrom('ratings')
    .select(['rating', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('rating')
    .orderBy('rating')
    .execute();
  return {
    members: counts.users,
    movies: counts.movies,
    ratings: counts.ratings,
    ratingsPerDay,
    ratingDistribution: distribution.map((row) => ({
      rating: Number(row.rating),
      ratings: Number(row.n),
    })),
  };
}
