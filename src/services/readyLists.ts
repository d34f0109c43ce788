/**
 * The home page's ready lists (as on movielens.org): new additions, top rated and recently
 * released. Computed over the in-memory catalog and cached until a rating changes.
 */
import type { Catalog } from './catalog.ts';

export interface ReadyLists {
  /** Newest in the catalog first (then the higher id). */
  newAdditions: number[];
  /** By damped mean (Bayesian average), among movies with at least `minRatings` ratings. */
  topRated: number[];
  /** From the newest release years (enough of them to fill the list), most rated first. */
  recentlyReleased: number[];
  minRatings: number;
}

/** The longest list kept; requests ask for up to this many. */
export const READY_LIST_MAX = 50;

/**
 * How many ratings make an average worth listing: half the mean number of ratings of a rated
 * movie, capped at 50 (ML-100K: 30; ML-1M and larger: 50; a small test catalog: a few).
 */
export function reliableMinimum(catalog: Catalog): number {
  let ratings = 0;
  let rated = 0;
  for (let i = 0; i < catalog.size; i++) {
    ratings += catalog.counts[i];
    if (catalog.counts[i] > 0) rated++;
  }
  return rated === 0 ? 1 : Math.min(50, Math.max(1, Math.round(ratings / rated / 2)));
}

function computeLists(catalog: Catalog): ReadyLists {
  const all = Array.from(catalog.movies.keys());
  const { movies, counts } = catalog;
  const newAdditions = [...all]
    .sort((a, b) => (movies[b].addedAt ?? 0) - (movies[a].addedAt ?? 0) || b - a)
    .slice(0, READY_LIST_MAX);

  const minRatings = reliableMinimum(catalog);
  const mean = catalog.globalMean();
  const damped = new Float64Array(catalog.size);
  for (const i of all) damped[i] = catalog.dampedAverage(i, mean);
  const topRated = all
    .filter((i) => counts[i] >= minRatings)
    .sort((a, b) => damped[b] - damped[a] || counts[b] - counts[a] || a - b)
    .slice(0, READY_LIST_MAX);

  // Widen the window of years, newest first, until it holds a full list of rated movies.
  const ratedPerYear = new Map<number, number>();
  for (const i of all) {
    const year = movies[i].year;
    if (year !== null && counts[i] > 0) ratedPerYear.set(year, (ratedPerYear.get(year) ?? 0) + 1);
  }
  let fromYear = Infinity;
  let inWindow = 0;
  for (const year of [...ratedPerYear.keys()].sort((a, b) => b - a)) {
    fromYear = year;
    inWindow += ratedPerYear.get(year)!;
    if (inWindow >= READY_LIST_MAX) break;
  }
  const recentlyReleased = all
    .filter((i) => (movies[i].year ?? -1) >= fromYear && counts[i] > 0)
    .sort((a, b) => counts[b] - counts[a] || (movies[b].year ?? 0) - (movies[a].year ?? 0) || a - b)
    .slice(0, READY_LIST_MAX);
  return { newAdditions, topRated, recentlyReleased, minRatings };
}

const cache = new WeakMap<Catalog, { version: number; lists: ReadyLists }>();

/** The ready lists of the catalog as it is now (recomputed only after a rating change). */
export function readyLists(catalog: Catalog): ReadyLists {
  const cached = cache.get(catalog);
  if (cached && cached.version === catalog.version) return cached.lists;
  const lists = computeLists(catalog);
  cache.set(catalog, { version: catalog.version, lists });
  return lists;
}
