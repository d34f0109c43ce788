/**
 * A member's own statistics (the /stats page): how they rate (histogram, their mean against the
 * site's), when they rated (per calendar month, UTC), and the movies where they differ most from
 * everyone else's average, among movies with enough ratings for that average to mean something.
 */
import type { Db } from '../db/connection.ts';
import { HISTOGRAM_BINS, starBin, type Catalog } from './catalog.ts';
import { ratingsOf } from './ratings.ts';
import { reliableMinimum } from './readyLists.ts';

/** Movies listed under "where you differ most". */
const DIFFERENCES = 10;

export interface MemberStats {
  ratingsCount: number;
  /** Counts of the member's ratings per half star (0.5, 1 … 5), like the movie histograms. */
  histogram: number[];
  yourAverage: number | null;
  siteAverage: number | null;
  /** Ratings per calendar month (UTC, "YYYY-MM"), oldest first; months without ratings left out. */
  perMonth: Array<{ month: string; count: number }>;
  /** Movies with at least this many ratings are compared. */
  minRatings: number;
  /** Largest |your rating − the movie's average| first. */
  differences: Array<{ index: number; yourRating: number; average: number; difference: number }>;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

export async function memberStats(db: Db, catalog: Catalog, userId: number): Promise<MemberStats> {
  const ratings = (await ratingsOf(db.kysely, userId)).filter(
    (r) => catalog.indexOf(r.movieId) >= 0,
  );
  const histogram = new Array<number>(HISTOGRAM_BINS).fill(0);
  const months = new Map<string, number>();
  let sum = 0;
  for (const r of ratings) {
    histogram[starBin(r.rating)]++;
    sum += r.rating;
    const month = new Date(r.ratedAt * 1000).toISOString().slice(0, 7);
    months.set(month, (months.get(month) ?? 0) + 1);
  }
  let siteSum = 0;
  let siteCount = 0;
  for (let i = 0; i < catalog.size; i++) {
    siteSum += catalog.sums[i];
    siteCount += catalog.counts[i];
  }
  const minRatings = reliableMinimum(catalog);
  const differences = ratings
    .map((r) => ({ index: catalog.indexOf(r.movieId), yourRating: r.rating }))
    .filter(({ index }) => catalog.counts[index] >= minRatings)
    .map(({ index, yourRating }) => {
      const average = catalog.sums[index] / catalog.counts[index];
      return {
        index,
        yourRating,
        average: round2(average),
        difference: round2(yourRating - average),
      };
    })
    .sort(
      (a, b) =>
        Math.abs(b.difference) - Math.abs(a.difference) ||
        catalog.movies[a.index].id - catalog.movies[b.index].id,
    )
    .slice(0, DIFFERENCES);
  return {
    ratingsCount: ratings.length,
    histogram,
    yourAverage: ratings.length > 0 ? round2(sum / ratings.length) : null,
    siteAverage: siteCount > 0 ? round2(siteSum / siteCount) : null,
    perMonth: [...months.entries()]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([month, count]) => ({ month, count })),
    minRatings,
    differences,
  };
}
