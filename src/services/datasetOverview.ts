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
  /** The last `days` days with ratings, oldest first (see `everyDay`). */
  ratingsPerDay: Array<{ day: string; ratings: number }>;
  ratingDistribution: Array<{ rating: number; ratings: number }>;
}

/** The overview, with the `days` (default 365) most recent days that have ratings. */
export async function datasetOverview(db: Db, days = 365): Promise<DatasetOverview> {
  const counts = await countRows(db);
  const day = sql<number>`floor(rated_at / 86400)`;
  const perDay = await db.kysely
    .selectFrom('ratings')
    .select([day.as('day'), (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(day)
    .orderBy(day, 'desc')
    .limit(days)
    .execute();
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
    ratingsPerDay: everyDay(perDay.map((row) => [Number(row.day), Number(row.n)])),
    ratingDistribution: distribution.map((row) => ({
      rating: Number(row.rating),
      ratings: Number(row.n),
    })),
  };
}

/** Longest run of days without ratings filled in with zeros (longer gaps are left out). */
const MAX_FILLED_GAP_DAYS = 31;

/**
 * Days (since the epoch) with counts, newest first → oldest first, with the days without ratings
 * in between filled in as zeros when the gap is at most a month (a demo catalog from 2000 and
 * members rating today would otherwise give years of zeros).
 */
function everyDay(days: Array<[number, number]>): Array<{ day: string; ratings: number }> {
  const result: Array<{ day: string; ratings: number }> = [];
  const label = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);
  for (let i = days.length - 1; i >= 0; i--) {
    const [day, ratings] = days[i];
    const previous = i < days.length - 1 ? days[i + 1][0] : day;
    if (day - previous - 1 <= MAX_FILLED_GAP_DAYS) {
      for (let gap = previous + 1; gap < day; gap++) result.push({ day: label(gap), ratings: 0 });
    }
    result.push({ day: label(day), ratings });
  }
  return result;
}
