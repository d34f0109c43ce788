/**
 * Onboarding by groups (Chang et al. 2015): instead of rating 15 movies, a new member picks a few
 * groups of similar movies, built from the rating data (src/recsys/movieGroups.ts) among the most
 * rated movies, and gets first recommendations from them at once. The groups are computed once
 * per catalog (at the first request) and cached; a member's picks are stored as the movies of
 * the groups, so they keep their meaning when the groups are built again from newer data.
 */
import { RatingColumnsBuilder } from '../datasets/dataset.ts';
import type { Db } from '../db/connection.ts';
import {
  centroidOf,
  groupMovies,
  movieVectors,
  rowDot,
  type MovieVectors,
} from '../recsys/movieGroups.ts';
import type { Catalog } from './catalog.ts';
import { invalid } from './errors.ts';
import { ratingsOf } from './ratings.ts';

/** Movies clustered into groups: the most rated ones, which most members know. */
const CLUSTERED = 300;
/** Movies first recommendations come from (the clustered ones first). */
const CANDIDATES = 1000;
/** Titles that name a group on the page. */
const SHOWN = 4;
export const MIN_PICKS = 3;
const SEED = 20150401;
/** Users whose ratings shape the groups: enough for stable groups, few enough on 32M ratings. */
const SAMPLED_USERS = 20_000;

export interface MovieGroup {
  id: number;
  /** The genre most of its movies share. */
  genre: string | null;
  /** Catalog indexes of the titles that name it (best known first). */
  shown: number[];
  /** Catalog indexes of all its movies. */
  movies: number[];
}

interface GroupModel {
  groups: MovieGroup[];
  vectors: MovieVectors;
  /** Catalog index of each vector row. */
  catalogIndex: Int32Array;
  rowOf: Map<number, number>;
}

export interface GroupServices {
  db: Db;
  catalog: Catalog;
}

const models = new WeakMap<Catalog, Promise<GroupModel>>();

function groupModel({ db, catalog }: GroupServices): Promise<GroupModel> {
  let model = models.get(catalog);
  if (!model) {
    model = buildModel(db, catalog);
    models.set(catalog, model);
    model.catch(() => models.delete(catalog));
  }
  return model;
}

async function buildModel(db: Db, catalog: Catalog): Promise<GroupModel> {
  const candidates = Array.from(catalog.byPopularity())
    .filter((i) => catalog.counts[i] > 0)
    .slice(0, CANDIDATES);
  const builder = new RatingColumnsBuilder();
  const ids = candidates.map((i) => catalog.movies[i].id);
  for (let start = 0; start < ids.length; start += 500) {
    const rows = await db.kysely
      .selectFrom('ratings')
      .select(['user_id', 'movie_id', 'rating'])
      .where('movie_id', 'in', ids.slice(start, start + 500))
      .where('user_id', 'in', (eb) =>
        eb.selectFrom('users').select('id').orderBy('id').limit(SAMPLED_USERS),
      )
      .execute();
    for (const row of rows) builder.add(row.user_id, row.movie_id, Number(row.rating), 0);
  }
  const ratings = builder.build();
  // Rows in popularity order, so the clustered movies are a prefix of the candidates.
  const items = ids.map((id) => ratings.itemIds.indexOf(id)).filter((i) => i >= 0);
  const vectors = movieVectors(ratings, items);
  const catalogIndex = Int32Array.from(items, (i) => catalog.indexOf(ratings.itemIds.ids[i]));
  const rowOf = new Map(Array.from(catalogIndex, (index, row) => [index, row]));
  const clustered = Math.min(CLUSTERED, items.length);
  const count = Math.min(16, Math.floor(clustered / 20));
  if (count < MIN_PICKS + 1) return { groups: [], vectors, catalogIndex, rowOf };
  const prefix: MovieVectors = {
    ...vectors,
    items: vectors.items.subarray(0, clustered),
    rowStart: vectors.rowStart.subarray(0, clustered + 1),
  };
  const assignment = groupMovies(prefix, { groups: count, seed: SEED });
  const members: number[][] = Array.from({ length: count }, () => []);
  // Rows are in popularity order, so each group's list is too.
  for (let row = 0; row < clustered; row++) members[assignment[row]].push(catalogIndex[row]);
  const groups = members
    .filter((movies) => movies.length >= MIN_PICKS)
    .sort((a, b) => catalog.counts[b[0]] - catalog.counts[a[0]] || a[0] - b[0])
    .map((movies, g) => ({
      id: g + 1,
      genre: dominantGenre(catalog, movies),
      shown: movies.slice(0, SHOWN),
      movies,
    }));
  return { groups, vectors, catalogIndex, rowOf };
}

function dominantGenre(catalog: Catalog, movies: number[]): string | null {
  const tally = new Map<string, number>();
  for (const index of movies)
    for (const genre of catalog.movies[index].genres) tally.set(genre, (tally.get(genre) ?? 0) + 1);
  const [best] = [...tally.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return best ? best[0] : null;
}

/** The groups a new member can pick from (empty on a catalog too small to group). */
export async function movieGroups(services: GroupServices): Promise<MovieGroup[]> {
  return (await groupModel(services)).groups;
}

/**
 * Stores the member's picks (replacing earlier ones): at least MIN_PICKS distinct group ids.
 * Returns the first recommendations.
 */
export async function pickGroups(
  services: GroupServices,
  userId: number,
  groupIds: number[],
  n: number,
): Promise<number[]> {
  const { groups } = await groupModel(services);
  const byId = new Map(groups.map((group) => [group.id, group]));
  groupIds.forEach((id, k) => {
    if (!byId.has(id)) throw invalid(`groups.${k}: there is no group ${id}`);
    if (groupIds.indexOf(id) !== k) throw invalid(`groups.${k}: group ${id} is picked twice`);
  });
  if (groupIds.length < MIN_PICKS)
    throw invalid(`groups: pick at least ${MIN_PICKS} groups (${groupIds.length} picked)`);
  const { catalog } = services;
  const now = Math.floor(Date.now() / 1000);
  const rows = groupIds.flatMap((id, k) => {
    const group = byId.get(id)!;
    return group.movies.map((index) => ({
      user_id: userId,
      movie_id: catalog.movies[index].id,
      pick: k + 1,
      shown: group.shown.includes(index) ? 1 : 0,
      picked_at: now,
    }));
  });
  await services.db.kysely.transaction().execute(async (trx) => {
    await trx.deleteFrom('member_group_picks').where('user_id', '=', userId).execute();
    for (let start = 0; start < rows.length; start += 500)
      await trx
        .insertInto('member_group_picks')
        .values(rows.slice(start, start + 500))
        .execute();
  });
  return groupRecommendations(services, userId, n);
}

/**
 * First recommendations from the member's picked groups: movies they have not rated and were not
 * shown as a group's name, scored by their cosine to the nearest picked group's centroid (ties: the
 * more rated first). Empty when the member picked no groups.
 */
export async function groupRecommendations(
  services: GroupServices,
  userId: number,
  n: number,
): Promise<number[]> {
  const { db, catalog } = services;
  const picks = await db.kysely
    .selectFrom('member_group_picks')
    .select(['movie_id', 'pick', 'shown'])
    .where('user_id', '=', userId)
    .execute();
  if (picks.length === 0) return [];
  const model = await groupModel(services);
  const rowsByPick = new Map<number, number[]>();
  const excluded = new Set((await ratingsOf(db.kysely, userId)).map((r) => r.movieId));
  for (const pick of picks) {
    if (pick.shown === 1) excluded.add(pick.movie_id);
    const row = model.rowOf.get(catalog.indexOf(pick.movie_id));
    if (row === undefined) continue;
    rowsByPick.set(pick.pick, [...(rowsByPick.get(pick.pick) ?? []), row]);
  }
  const centroids = [...rowsByPick.values()].map((rows) => centroidOf(model.vectors, rows));
  const scored: Array<{ index: number; score: number }> = [];
  for (let row = 0; row < model.catalogIndex.length; row++) {
    const index = model.catalogIndex[row];
    if (excluded.has(catalog.movies[index].id)) continue;
    let score = -Infinity;
    for (const centroid of centroids) score = Math.max(score, rowDot(model.vectors, row, centroid));
    scored.push({ index, score });
  }
  scored.sort(
    (a, b) =>
      b.score - a.score || catalog.counts[b.index] - catalog.counts[a.index] || a.index - b.index,
  );
  return scored.slice(0, n).map((s) => s.index);
}

/** The member's picks for their data export. */
export async function exportGroupPicks(db: Db, userId: number) {
  const rows = await db.kysely
    .selectFrom('member_group_picks')
    .select(['pick', 'movie_id', 'shown', 'picked_at'])
    .where('user_id', '=', userId)
    .orderBy('pick')
    .orderBy('movie_id')
    .execute();
  return rows.map((row) => ({
    group: row.pick,
    movieId: row.movie_id,
    shownAsName: row.shown === 1,
    pickedAt: new Date(Number(row.picked_at) * 1000).toISOString(),
  }));
}
