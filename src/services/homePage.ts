/**
 * A member's home page: top picks, then shelves of the genres that occur most among them. Every
 * list comes from the ranking model under the member's chosen recommender, and no shelf repeats
 * a movie shown above it (each list excludes everything listed before it), nor one on the
 * member's lists.
 */
import type { Catalog } from './catalog.ts';
import type { Recommendation, Recommender } from './recommendations.ts';

export const TOP_PICKS = 20;
export const SHELVES = 4;
export const SHELF_LENGTH = 8;

export interface HomeLists {
  topPicks: Recommendation[];
  shelves: Array<{ genre: string; items: Recommendation[] }>;
}

export async function memberHome(
  recommender: Recommender,
  catalog: Catalog,
  memberId: number,
): Promise<HomeLists> {
  // The recommender never lists the member's listed movies.
  const topPicks = await recommender.recommend(memberId, TOP_PICKS);
  const shown = new Set(topPicks.map((item) => item.movieId));
  const shelves: HomeLists['shelves'] = [];
  for (const genre of favouriteGenres(catalog, topPicks)) {
    const items = await recommender.recommend(memberId, SHELF_LENGTH, { genre, exclude: shown });
    if (items.length === 0) continue;
    for (const item of items) shown.add(item.movieId);
    shelves.push({ genre, items });
  }
  return { topPicks, shelves };
}

/** The genres that occur most among the top picks (ties by name). */
function favouriteGenres(catalog: Catalog, picks: readonly Recommendation[]): string[] {
  const tally = new Map<string, number>();
  for (const pick of picks) {
    const index = catalog.indexOf(pick.movieId);
    if (index < 0) continue;
    for (const genre of catalog.movies[index].genres) tally.set(genre, (tally.get(genre) ?? 0) + 1);
  }
  return [...tally.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, SHELVES)
    .map(([genre]) => genre);
}
