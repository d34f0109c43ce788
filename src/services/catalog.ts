/**
 * The movie catalog the site serves, held in memory (a few thousand movies): titles, years,
 * genres and rating statistics (count, sum, half-star histogram), loaded once from the database
 * and kept current as members rate. Search, filters, sorting and paging run over typed arrays.
 */
import { sql } from 'kysely';
import type { MovieLinks } from '../datasets/movieLinks.ts';
import type { Db } from '../db/connection.ts';
import { loadMovieLinks } from './datasetLoading.ts';
import type { MemberChangeListener, RatingChange } from './memberChanges.ts';
import { MovieSearch } from './movieSearch.ts';
import type { StoredRating } from './ratings.ts';

export interface CatalogMovie {
  id: number;
  title: string;
  year: number | null;
  genres: string[];
  /** When it joined the catalog (Unix seconds), for "new additions". */
  addedAt?: number;
  links?: MovieLinks;
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
  /** Only these movie ids (a member's list), when given. */
  only?: ReadonlySet<number>;
  /** Never these movie ids (a member's hidden movies). */
  exclude?: ReadonlySet<number>;
}

/** Ratings a sort by average pretends every movie has at the global mean (damping). */
const AVERAGE_DAMPING = 5;

/** Histogram bars per movie: one per half star, 0.5, 1, 1.5 … 5. */
export const HISTOGRAM_BINS = 10;

/** The histogram bar (0 = 0.5 stars … 9 = 5 stars) of a rating on the half-star grid. */
export function starBin(rating: number): number {
  return Math.min(HISTOGRAM_BINS - 1, Math.max(0, Math.round(rating * 2) - 1));
}

export class Catalog implements MemberChangeListener {
  readonly movies: CatalogMovie[];
  private readonly indexById = new Map<number, number>();
  /** The title search index, built with the catalog (so it holds exactly its movies). */
  private readonly titleSearch: MovieSearch;
  readonly counts: Int32Array;
  readonly sums: Float64Array;
  /** HISTOGRAM_BINS counts per movie (0.5, 1 … 5 stars). */
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
    this.titleSearch = new MovieSearch(movies);
    this.counts = new Int32Array(movies.length);
    this.sums = new Float64Array(movies.length);
    this.histograms = new Int32Array(movies.length * HISTOGRAM_BINS);
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
    const links = await loadMovieLinks(db);
    const catalog = new Catalog(
      rows.map((m) => ({
        id: m.id,
        title: m.title,
        year: m.year,
        genres: m.genres === '' ? [] : m.genres.split('|'),
        addedAt: m.added_at,
        links: links.get(m.id),
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
      catalog.histograms[index * HISTOGRAM_BINS + starBin(rating)] += n;
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

  /** The exact mean rating (sums of half stars are exact); only the page rounds it, once. */
  average(index: number): number | null {
    return this.counts[index] > 0 ? this.sums[index] / this.counts[index] : null;
  }

  /** The mean of every rating in the catalog (3 when there are none). */
  globalMean(): number {
    let total = 0;
    let n = 0;
    for (let i = 0; i < this.movies.length; i++) {
      total += this.sums[i];
      n += this.counts[i];
    }
    return n > 0 ? total / n : 3;
  }

  /** A Bayesian (damped) mean: the average as if AVERAGE_DAMPING more ratings had the global mean. */
  dampedAverage(index: number, globalMean: number): number {
    return (
      (this.sums[index] + AVERAGE_DAMPING * globalMean) / (this.counts[index] + AVERAGE_DAMPING)
    );
  }

  histogram(index: number): number[] {
    const start = index * HISTOGRAM_BINS;
    return Array.from(this.histograms.subarray(start, start + HISTOGRAM_BINS));
  }

  /** Keeps the statistics current: a rating replaced (old → new; null = none). */
  applyRatingChange(movieId: number, previous: number | null, next: number | null): void {
    const index = this.indexOf(movieId);
    if (index < 0) return;
    this.changedAt[index] = ++this.changes;
    if (previous !== null) {
      this.counts[index]--;
      this.sums[index] -= previous;
      this.histograms[index * HISTOGRAM_BINS + starBin(previous)]--;
    }
    if (next !== null) {
      this.counts[index]++;
      this.sums[index] += next;
      this.histograms[index * HISTOGRAM_BINS + starBin(next)]++;
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
   * that sort falls back to popularity. With words to search, 'popularity' means best title match
   * first (see MovieSearch.find).
   */
  search(
    query: MovieQuery,
    predicted?: (index: number) => number,
  ): { indexes: number[]; total: number; didYouMean: string | null } {
    const words = query.q?.trim() ? this.titleSearch.find(query.q, this.counts) : null;
    const didYouMean = words?.didYouMean ?? null;
    const mask = query.genre ? this.genreMasks.get(query.genre) : undefined;
    if (query.genre && !mask) return { indexes: [], total: 0, didYouMean };
    const matches: number[] = [];
    const candidates = words ? words.indexes.length : this.movies.length;
    for (let k = 0; k < candidates; k++) {
      const i = words ? words.indexes[k] : k;
      if (mask && mask[i] !== 1) continue;
      const id = this.movies[i].id;
      if ((query.only && !query.only.has(id)) || query.exclude?.has(id)) continue;
      const year = this.movies[i].year;
      if (query.year !== undefined && year !== query.year) continue;
      if (query.yearFrom !== undefined && (year === null || year < query.yearFrom)) continue;
      if (query.yearTo !== undefined && (year === null || year > query.yearTo)) continue;
      matches.push(i);
    }
    const sort = query.sort ?? 'popularity';
    if (sort === 'predicted' && predicted) {
      const score = new Float64Array(this.movies.length);
      for (const i of matches) score[i] = predicted(i);
      matches.sort((a, b) => score[b] - score[a] || this.counts[b] - this.counts[a] || a - b);
    } else if (sort === 'average') {
      const mean = this.globalMean();
      const damped = (i: number) => this.dampedAverage(i, mean);
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
    } else if (!words) {
      // (Search results already come best match first, popularity breaking ties.)
      matches.sort((a, b) => this.counts[b] - this.counts[a] || a - b);
    }
    const start = (query.page - 1) * query.pageSize;
    return {
      indexes: matches.slice(start, start + query.pageSize),
      total: matches.length,
      didYouMean,
    };
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
