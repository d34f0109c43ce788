/**
 * What the site shows anyone about its members, read for a release's audit and withholding
 * (src/privacy/publicKnowledge.ts): every rating of a member who shares them (public or
 * anonymous visibility) with the month the site shows, and the movies each member named in
 * board posts (linked, or written with their year: "Star Wars (1977)", "The Godfather (1972)")
 * that they rated, with their rating.
 */
import type { Db } from '../db/connection.ts';
import type { Movie, PublicKnowledge, Ratings } from '../datasets/dataset.ts';
import { SHARED_VISIBILITIES } from './privacy.ts';
import { normalize, titleForms } from './titleText.ts';

const MOVIE_LINK = /\/movies\/(\d+)/g;
const YEAR_AT_END = /\((\d{4})\)\s*$/;
const YEAR_WORD = /^\d{4}$/;
/** The most words a title form is looked for (longer titles are still found by their links). */
const MAX_TITLE_WORDS = 12;

/** Movie id by "normalized title form + year", for finding titles in text. */
export function mentionIndex(movies: readonly Pick<Movie, 'id' | 'title'>[]): Map<string, number> {
  const index = new Map<string, number>();
  for (const movie of movies) {
    const year = YEAR_AT_END.exec(movie.title)?.[1];
    if (!year) continue;
    for (const form of titleForms(movie.title)) {
      if (!YEAR_WORD.test(form)) index.set(`${form} ${year}`, movie.id);
    }
  }
  return index;
}

/** The movie ids a text names: links to movie pages, and titles written with their year. */
export function mentionedMovies(text: string, index: ReadonlyMap<string, number>): Set<number> {
  const found = new Set<number>();
  for (const match of text.matchAll(MOVIE_LINK)) found.add(Number(match[1]));
  const words = normalize(text).split(' ');
  for (let end = 0; end < words.length; end++) {
    if (!YEAR_WORD.test(words[end])) continue;
    for (let begin = Math.max(0, end - MAX_TITLE_WORDS); begin < end; begin++) {
      const id = index.get(words.slice(begin, end + 1).join(' '));
      if (id !== undefined) found.add(id);
    }
  }
  return found;
}

function monthStart(seconds: number): number {
  const date = new Date(seconds * 1000);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) / 1000;
}

/** The public knowledge of the members of `ratings` (the release source's ratings). */
export async function loadPublicKnowledge(
  db: Db,
  ratings: Ratings,
  movies: readonly Movie[],
): Promise<PublicKnowledge> {
  const sharing = await db.kysely
    .selectFrom('privacy_settings')
    .select('user_id')
    .where('ratings_visibility', 'in', SHARED_VISIBILITIES)
    .execute();
  const sharingIds = new Set(sharing.map((row) => row.user_id));
  // "member:movie" of every movie a member named in a post (their rating is found below).
  const index = mentionIndex(movies);
  const posts = await db.kysely.selectFrom('posts').select(['user_id', 'body']).execute();
  const posters = new Set<number>();
  const mentioned = new Set<string>();
  for (const post of posts) {
    for (const movie of mentionedMovies(post.body, index)) {
      posters.add(post.user_id);
      mentioned.add(`${post.user_id}:${movie}`);
    }
  }
  // One pass over the ratings: all of a sharing member's, and the posters' of named movies.
  const entries: Array<{ user: number; movie: number; row: number; shown: boolean }> = [];
  for (let r = 0; r < ratings.length; r++) {
    const user = ratings.userIds.ids[ratings.userIndex[r]];
    const movie = ratings.itemIds.ids[ratings.itemIndex[r]];
    if (sharingIds.has(user)) entries.push({ user, movie, row: r, shown: true });
    else if (posters.has(user) && mentioned.has(`${user}:${movie}`))
      entries.push({ user, movie, row: r, shown: false });
  }
  return {
    userId: Int32Array.from(entries, (entry) => entry.user),
    movieId: Int32Array.from(entries, (entry) => entry.movie),
    rating: Float32Array.from(entries, (entry) => ratings.rating[entry.row]),
    timestamp: Uint32Array.from(entries, (entry) =>
      entry.shown ? monthStart(ratings.timestamp[entry.row]) : 0,
    ),
  };
}
