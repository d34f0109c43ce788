/**
 * The movie catalog the site serves, held in memory (a few thousand movies): titles, years,
 * genres and rating statistics (count, sum, 1–5 star histogram), loaded once from the database
 * and kept current as members rate. Search, filters, sorting and paging run over typed arrays.
 */
import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { MemberChangeListener, RatingChange } from './memberChanges.ts';
import type { StoredRating } from './ratings.ts';

export interface CatalogMovie {
  id: number;
  title: string;
  year: number | null;
  genres: string[];
}

export type MovieSort = 'popularity' | 'average' | 'predicted' | 'title' | 'year';

export interface MovieQuery {
  q?: string;
  genre?: string;
  year?: number;
  yearFrom?: number;
  yearTo?: number;
  sort?: MovieSort;
  page: number;
  pageSize: number;
}

/** Ratings a sort by average pretends every movie has at the global mean (damping). */
const AVERAGE_DAMPING = 5;

/** A half-star rating counts in the histogram bar of its rounded-up whole star. */
export function starBucket(rating: number): number {
  return Math.min(5, Math.max(1, Math.ceil(rating - 1e-9)));
}

export class Catalog implements MemberChangeListener {
  readonly movies: CatalogMovie[];
  private readonly indexById = new Map<number, number>();
  /** Lower-cased "title year" per movie, for search. */
  private readonly searchText: string[];
  readonly counts: Int32Array;
  readonly sums: Float64Array;
  /** 5 counts per movie (1..5 stars). */
  readonly histograms: Int32Array;
  readonly genres: string[];
  private readonly genreMasks = new Map<string, Uint8Array>();
  private popularityOrder: Int32Array | null = null;
  /** Rating changes applied so far; `changedAt[index]`: the count when that movie last changed. */
  private changes = 0;
  private readonly changedAt: Float64Array;

  constructor(movies: CatalogMovie[]) {
    this.movies = movies;
    movies.forEach((movie, index) => this.indexById.set(movie.id, index));
    this.searchText = movies.map((m) => `${m.title} ${m.year ?? ''}`.toLowerCase());
    this.counts = new Int32Array(movies.length);
    this.sums = new Float64Array(movies.length);
    this.histograms = new Int32Array(movies.length * 5);
    this.changedAt = new Float64Array(movies.length);
    const genres = new Set<string>();
    for (const movie of movies) for (const genre of movie.genres) genres.add(genre);
    this.genres = [...genres].sort((a, b) => a.localeCompare(b));
    for (const genre of this.genres) {
      const mask = new Uint8Array(movies.length);
      movies.forEach((movie, index) => {
        if (movie.genres.includes(genre)) mask[index] = 1;
      });
      this.genreMasks.set(genre, mask);
    }
  }

  static async load(db: Db): Promise<Catalog> {
    const rows = await db.kysely.selectFrom('movies').selectAll().orderBy('id').execute();
    const catalog = new Catalog(
      rows.map((m) => ({
        id: m.id,
        title: m.title,
        year: m.year,
        genres: m.genres === '' ? [] : m.genres.split('|'),
      })),
    );
    const stats = await sql<{ movie_id: number; rating: number; n: number }>`
      SELECT movie_id, rating, count(*) AS n FROM ratings GROUP BY movie_id, rating`.execute(
      db.kysely,
    );
    for (const row of stats.rows) {
      const index = catalog.indexOf(Number(row.movie_id));
      if (index < 0) continue;
      const n = Number(row.n);
      const rating = Number(row.rating);
      catalog.counts[index] += n;
      catalog.sums[index] += n * rating;
      catalog.histograms[index * 5 + starBucket(rating) - 1] += n;
    }
    return catalog;
  }

  get size(): number {
    return this.movies.length;
  }

  /** Dense index of a movie id, or -1. */
  indexOf(movieId: number): number {
    return this.indexById.get(movieId) ?? -1;
  }

  movie(movieId: number): CatalogMovie | null {
    const index = this.indexOf(movieId);
    return index < 0 ? null : this.movies[index];
  }

  average(index: number): number | null {
    return this.counts[index] > 0
      ? Math.round((this.sums[index] / this.counts[index]) * 100) / 100
      : null;
  }

  histogram(index: number): number[] {
    return Array.from(this.histograms.subarray(index * 5, index * 5 + 5));
  }

  /** Keeps the statistics current: a rating replaced (old → new; null = none). */
  applyRatingChange(movieId: number, previous: number | null, next: number | null): void {
    const index = this.indexOf(movieId);
    if (index < 0) return;
    this.changedAt[index] = ++this.changes;
    if (previous !== null) {
      this.counts[index]--;
      this.sums[index] -= previous;
      this.histograms[index * 5 + starBucket(previous) - 1]--;
    }
    if (next !== null) {
      this.counts[index]++;
      this.sums[index] += next;
      this.histograms[index * 5 + starBucket(next) - 1]++;
    }
    this.popularityOrder = null;
  }

  /** MemberChanges listener: a member's rating changed. */
  ratingChanged(change: RatingChange): void {
    this.applyRatingChange(change.movieId, change.previousRating, change.rating);
  }

  /** MemberChanges listener: a deleted member's ratings leave the statistics. */
  memberDeleted(_memberId: number, ratings: readonly StoredRating[]): void {
    for (const rating of ratings) this.applyRatingChange(rating.movieId, rating.rating, null);
  }

  /** A mark of the statistics as they are now, for `unchangedSince`. */
  get version(): number {
    return this.changes;
  }

  /** True when none of these movies' statistics changed after `version` was read. */
  unchangedSince(indexes: ArrayLike<number>, version: number): boolean {
    for (let i = 0; i < indexes.length; i++) if (this.changedAt[indexes[i]] > version) return false;
    return true;
  }

  hasGenre(index: number, genre: string): boolean {
    return this.genreMasks.get(genre)?.[index] === 1;
  }

  /** Movie indexes by number of ratings, most first (cached until the next rating change). */
  byPopularity(): Int32Array {
    if (this.popularityOrder) return this.popularityOrder;
    const order = Int32Array.from(this.movies.keys());
    order.sort((a, b) => this.counts[b] - this.counts[a] || a - b);
    this.popularityOrder = order;
    return order;
  }

  /**
   * Movie indexes matching the query, sorted, with the total before paging. `predicted` scores
   * movies for the 'predicted' ("for you") sort (higher first; the member's ranking); without it
   * that sort falls back to popularity.
   */
  search(
    query: MovieQuery,
    predicted?: (index: number) => number,
  ): { indexes: number[]; total: number } {
    const terms = (query.q ?? '')
      .toLowerCase()
      .split(/\s+/)
      .filter((t) => t.length > 0);
    const mask = query.genre ? this.genreMasks.get(query.genre) : undefined;
    if (query.genre && !mask) return { indexes: [], total: 0 };
    const matches: number[] = [];
    for (let i = 0; i < this.movies.length; i++) {
      if (mask && mask[i] !== 1) continue;
      const year = this.movies[i].year;
      if (query.year !== undefined && year !== query.year) continue;
      if (query.yearFrom !== undefined && (year === null || year < query.yearFrom)) continue;
      if (query.yearTo !== undefined && (year === null || year > query.yearTo)) continue;
      if (terms.length > 0) {
        const text = this.searchText[i];
        if (!terms.every((t) => text.includes(t))) continue;
      }
      matches.push(i);
    }
    const sort = query.sort ?? (terms.length > 0 ? 'popularity' : 'popularity');
    if (sort === 'predicted' && predicted) {
      const score = new Float64Array(this.movies.length);
      for (const i of matches) score[i] = predicted(i);
      matches.sort((a, b) => score[b] - score[a] || this.counts[b] - this.counts[a] || a - b);
    } else if (sort === 'average') {
      let total = 0;
      let n = 0;
      for (let i = 0; i < this.movies.length; i++) {
        total += this.sums[i];
        n += this.counts[i];
      }
      const mean = n > 0 ? total / n : 3;
      const damped = (i: number) =>
        (this.sums[i] + AVERAGE_DAMPING * mean) / (this.counts[i] + AVERAGE_DAMPING);
      matches.sort((a, b) => damped(b) - damped(a) || a - b);
    } else if (sort === 'title') {
      matches.sort((a, b) => this.movies[a].title.localeCompare(this.movies[b].title) || a - b);
    } else if (sort === 'year') {
      matches.sort(
        (a, b) =>
          (this.movies[b].year ?? -1) - (this.movies[a].year ?? -1) ||
          this.counts[b] - this.counts[a] ||
          a - b,
      );
    } else {
      matches.sort((a, b) => this.counts[b] - this.counts[a] || a - b);
    }
    const start = (query.page - 1) * query.pageSize;
    return { indexes: matches.slice(start, start + query.pageSize), total: matches.length };
  }

  /**
   * Movies for a new member to rate: alternately the most popular unrated titles and the most
   * popular unrated title of each genre in turn, so the picker is familiar yet diverse.
   * `seed` varies the genre order between members.
   */
  onboardingPicks(rated: ReadonlySet<number>, n: number, seed: number): number[] {
    const popular = this.byPopularity();
    const picked = new Set<number>();
    const result: number[] = [];
    const genres = [...this.genres];
    let state = seed >>> 0 || 1;
    for (let i = genres.length - 1; i > 0; i--) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      const j = state % (i + 1);
      [genres[i], genres[j]] = [genres[j], genres[i]];
    }
    const take = (accept: (index: number) => boolean): boolean => {
      for (const index of popular) {
        if (picked.has(index) || rated.has(this.movies[index].id) || !accept(index)) continue;
        picked.add(index);
        result.push(index);
        return true;
      }
      return false;
    };
    let genreTurn = 0;
    let misses = 0;
    while (result.length < n && misses < genres.length + 1) {
      if (result.length % 2 === 0 || genres.length === 0) {
        if (!take(() => true)) break;
        continue;
      }
      const genre = genres[genreTurn++ % genres.length];
      if (take((index) => this.hasGenre(index, genre))) misses = 0;
      else misses++;
    }
    while (result.length < n && take(() => true));
    return result;
  }
}
