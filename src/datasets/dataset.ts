/**
 * The one data shape that crosses lenslab's layers: a columnar ratings table over typed arrays
 * with dense index maps to external ids, plus the movie catalog and optional user demographics.
 */
import type { MovieLinks } from './movieLinks.ts';

/** Maps external ids (as in the files or the database) to dense indexes 0..size-1 and back. */
export class IdIndex {
  /** ids[index] is the external id of the dense index. Sorted ascending, unique. */
  readonly ids: Int32Array;
  /** The index of each id in [first, first + length), −1 where absent, when ids span a small range. */
  private readonly dense: Int32Array | null;
  private readonly first: number;
  private readonly lookup: Map<number, number> | null;

  constructor(sortedUniqueIds: Int32Array) {
    this.ids = sortedUniqueIds;
    const n = sortedUniqueIds.length;
    this.first = n > 0 ? sortedUniqueIds[0] : 0;
    const span = n > 0 ? sortedUniqueIds[n - 1] - this.first + 1 : 0;
    if (span <= denseLimit(n)) {
      this.dense = new Int32Array(span).fill(-1);
      for (let i = 0; i < n; i++) this.dense[sortedUniqueIds[i] - this.first] = i;
      this.lookup = null;
    } else {
      this.dense = null;
      this.lookup = new Map();
      for (let i = 0; i < n; i++) this.lookup.set(sortedUniqueIds[i], i);
    }
  }

  /** The index of the distinct values, sorted ascending. */
  static fromValues(values: ArrayLike<number>): IdIndex {
    const n = values.length;
    let min = 0;
    let max = -1;
    for (let i = 0; i < n; i++) {
      const v = values[i] | 0;
      if (i === 0 || v < min) min = v;
      if (i === 0 || v > max) max = v;
    }
    // Ids are mostly small integers: mark them over their range (linear), else sort a copy.
    if (max - min + 1 <= denseLimit(n)) {
      const seen = new Uint8Array(max - min + 1);
      let unique = 0;
      for (let i = 0; i < n; i++) {
        const k = (values[i] | 0) - min;
        if (seen[k] === 0) {
          seen[k] = 1;
          unique++;
        }
      }
      const ids = new Int32Array(unique);
      for (let k = 0, j = 0; k < seen.length; k++) if (seen[k]) ids[j++] = k + min;
      return new IdIndex(ids);
    }
    const copy = Int32Array.from(values).sort();
    let unique = 0;
    for (let i = 0; i < copy.length; i++) {
      if (i === 0 || copy[i] !== copy[i - 1]) copy[unique++] = copy[i];
    }
    return new IdIndex(copy.slice(0, unique));
  }

  get size(): number {
    return this.ids.length;
  }

  /** Dense index of an external id, or -1 when unknown. */
  indexOf(id: number): number {
    if (this.dense) {
      const k = id - this.first;
      return k >= 0 && k < this.dense.length && Number.isInteger(k) ? this.dense[k] : -1;
    }
    return this.lookup!.get(id) ?? -1;
  }

  has(id: number): boolean {
    return this.indexOf(id) >= 0;
  }
}

/** The widest id range an IdIndex of n ids keeps as a table (a few times n, at least 64 Ki). */
function denseLimit(n: number): number {
  return Math.max(1 << 16, 4 * n);
}

/** Ratings in columns. Row r: user userIndex[r] rated item itemIndex[r] rating[r] at timestamp[r]. */
export interface Ratings {
  readonly length: number;
  /** Dense user index per rating (into userIds). */
  readonly userIndex: Int32Array;
  /** Dense item (movie) index per rating (into itemIds). */
  readonly itemIndex: Int32Array;
  readonly rating: Float32Array;
  /** Unix time in seconds; 0 when the source has no time. */
  readonly timestamp: Uint32Array;
  readonly userIds: IdIndex;
  readonly itemIds: IdIndex;
}

/** Ratings as plain data for another thread (the IdIndex maps become their id arrays). */
export type WireRatings = Omit<Ratings, 'userIds' | 'itemIds'> & {
  userIds: Int32Array;
  itemIds: Int32Array;
};

export function toWireRatings(ratings: Ratings): WireRatings {
  return {
    length: ratings.length,
    userIndex: ratings.userIndex,
    itemIndex: ratings.itemIndex,
    rating: ratings.rating,
    timestamp: ratings.timestamp,
    userIds: ratings.userIds.ids,
    itemIds: ratings.itemIds.ids,
  };
}

export function fromWireRatings(wire: WireRatings): Ratings {
  return { ...wire, userIds: new IdIndex(wire.userIds), itemIds: new IdIndex(wire.itemIds) };
}

/** A Dataset as plain data (IdIndex maps become their id arrays). */
export type WireDataset = Omit<Dataset, 'ratings'> & { ratings: WireRatings };

export function toWireDataset(dataset: Dataset): WireDataset {
  return { ...dataset, ratings: toWireRatings(dataset.ratings) };
}

export function fromWireDataset(wire: WireDataset): Dataset {
  return { ...wire, ratings: fromWireRatings(wire.ratings) };
}

export interface RatingScale {
  readonly min: number;
  readonly max: number;
  /** Smallest difference between two ratings: 1 for whole stars, 0.5 for half stars. */
  readonly step: number;
}

export const FIVE_STARS: RatingScale = { min: 1, max: 5, step: 1 };
/** The web site's scale (as movielens.org and ML-10M onwards). */
export const HALF_STARS: RatingScale = { min: 0.5, max: 5, step: 0.5 };

/** Whether a rating lies on the scale: within min–max and a whole number of steps from min. */
export function onScale(rating: number, { min, max, step }: RatingScale): boolean {
  const steps = (rating - min) / step;
  return rating >= min && rating <= max && Math.abs(steps - Math.round(steps)) <= 1e-9;
}

/** The scale in words, for error messages: "1–5" or "0.5–5 in steps of 0.5". */
export function scaleText({ min, max, step }: RatingScale): string {
  return step === 1 ? `${min}–${max}` : `${min}–${max} in steps of ${step}`;
}

/** The whole-star scale when every rating is a whole star of 1–5, else the half-star scale. */
export function scaleOf(rating: Float32Array): RatingScale {
  for (let r = 0; r < rating.length; r++) if (!onScale(rating[r], FIVE_STARS)) return HALF_STARS;
  return FIVE_STARS;
}

export interface Movie {
  id: number;
  /** Title without the trailing " (year)". */
  title: string;
  year: number | null;
  genres: string[];
  /** IMDb/TMDb ids, when the source has them (ML-100K's u.item, links.csv of ml-latest). */
  links?: MovieLinks;
}

export type Gender = 'M' | 'F';

export interface UserProfile {
  id: number;
  gender: Gender | null;
  /** Age in years, or the lower bound of an ML-1M age bucket (1, 18, 25, 35, 45, 50, 56). */
  age: number | null;
  /** ML-1M occupation code 0–20. */
  occupation: number | null;
  zip: string | null;
}

/** A tag a user put on a movie (ml-latest tags.csv): text as written, Unix seconds. */
export interface Tag {
  userId: number;
  movieId: number;
  tag: string;
  timestamp: number;
}

/** One question of a research survey (as src/services/surveyDefinitions.ts defines them). */
export interface SurveyQuestion {
  /** `q1`, `q2`, … */
  id: string;
  kind: 'single' | 'multiple' | 'scale' | 'text' | 'movies';
  prompt: string;
  options?: string[];
  movieIds?: number[];
}

/** One answer: a choice's index, the indexes chosen, 1–5, text, or movie id → 1–5. */
export type SurveyAnswerValue = number | number[] | string | Record<string, number>;

/**
 * A research survey's questions and its members' answers, by question id. In a release's source:
 * only surveys whose statement allows a release, with live member ids; in a release: pseudonyms.
 */
export interface SurveyData {
  id: number;
  title: string;
  questions: SurveyQuestion[];
  responses: Array<{ userId: number; answers: Record<string, SurveyAnswerValue> }>;
}

export interface Dataset {
  ratings: Ratings;
  /** The catalog, sorted by id; may hold movies nobody rated. */
  movies: Movie[];
  /** Demographics sorted by id; empty when the source has none. */
  users: UserProfile[];
  scale: RatingScale;
  /** Tags, when the source has them (ml-latest tags.csv); absent otherwise. */
  tags?: Tag[];
  /** Releasable research surveys and their answers (a database's release source); absent otherwise. */
  surveys?: SurveyData[];
  /** What members show anyone (a database's release source); absent otherwise. */
  publicKnowledge?: PublicKnowledge;
}

/**
 * What anyone can learn about members from the site (issue #13, Frankowski et al. 2006): the
 * ratings members share (public or anonymous visibility) as the site shows them, and the movies
 * they named in board posts with their own rating of each. One entry per (member, movie).
 */
export interface PublicKnowledge {
  userId: Int32Array;
  movieId: Int32Array;
  rating: Float32Array;
  /** Unix seconds of the start of the month the site shows; 0 when no date is shown (a post). */
  timestamp: Uint32Array;
}

/** Builds Ratings from columns of external ids; the index maps are the sorted distinct ids. */
export function ratingsFromExternalIds(
  userIds: Int32Array,
  itemIds: Int32Array,
  rating: Float32Array,
  timestamp: Uint32Array,
  indexes: { users?: IdIndex; items?: IdIndex } = {},
): Ratings {
  const users = indexes.users ?? IdIndex.fromValues(userIds);
  const items = indexes.items ?? IdIndex.fromValues(itemIds);
  const length = rating.length;
  const userIndex = new Int32Array(length);
  const itemIndex = new Int32Array(length);
  for (let r = 0; r < length; r++) {
    userIndex[r] = users.indexOf(userIds[r]);
    itemIndex[r] = items.indexOf(itemIds[r]);
    if (userIndex[r] < 0 || itemIndex[r] < 0) {
      throw new Error(`rating ${r}: user ${userIds[r]} or item ${itemIds[r]} is not in the index`);
    }
  }
  return { length, userIndex, itemIndex, rating, timestamp, userIds: users, itemIds: items };
}

/** The rows at the given positions, keeping the same index maps (so indexes stay aligned). */
export function selectRatings(ratings: Ratings, rows: ArrayLike<number>): Ratings {
  const length = rows.length;
  const userIndex = new Int32Array(length);
  const itemIndex = new Int32Array(length);
  const rating = new Float32Array(length);
  const timestamp = new Uint32Array(length);
  for (let k = 0; k < length; k++) {
    const r = rows[k];
    userIndex[k] = ratings.userIndex[r];
    itemIndex[k] = ratings.itemIndex[r];
    rating[k] = ratings.rating[r];
    timestamp[k] = ratings.timestamp[r];
  }
  return {
    length,
    userIndex,
    itemIndex,
    rating,
    timestamp,
    userIds: ratings.userIds,
    itemIds: ratings.itemIds,
  };
}

/** Row order sorted by (user id, movie id): the canonical order of files lenslab writes. */
export function canonicalOrder(ratings: Ratings): Int32Array {
  const order = new Int32Array(ratings.length);
  for (let r = 0; r < order.length; r++) order[r] = r;
  // Dense indexes are sorted like the external ids, so sorting by index sorts by id.
  const items = ratings.itemIds.size;
  const key = new Float64Array(ratings.length);
  for (let r = 0; r < key.length; r++) key[r] = ratings.userIndex[r] * items + ratings.itemIndex[r];
  return order.sort((a, b) => key[a] - key[b]);
}

/** Grows typed-array columns as ratings stream in from a file or a query. */
export class RatingColumnsBuilder {
  private capacity: number;
  length = 0;
  userIds: Int32Array;
  itemIds: Int32Array;
  rating: Float32Array;
  timestamp: Uint32Array;

  constructor(initialCapacity = 1 << 16) {
    this.capacity = initialCapacity;
    this.userIds = new Int32Array(initialCapacity);
    this.itemIds = new Int32Array(initialCapacity);
    this.rating = new Float32Array(initialCapacity);
    this.timestamp = new Uint32Array(initialCapacity);
  }

  add(userId: number, itemId: number, rating: number, timestamp: number): void {
    if (this.length === this.capacity) this.grow();
    const r = this.length++;
    this.userIds[r] = userId;
    this.itemIds[r] = itemId;
    this.rating[r] = rating;
    this.timestamp[r] = timestamp;
  }

  build(indexes: { users?: IdIndex; items?: IdIndex } = {}): Ratings {
    return ratingsFromExternalIds(
      this.userIds.slice(0, this.length),
      this.itemIds.slice(0, this.length),
      this.rating.slice(0, this.length),
      this.timestamp.slice(0, this.length),
      indexes,
    );
  }

  private grow(): void {
    this.capacity *= 2;
    const grow = <T extends Int32Array | Float32Array | Uint32Array>(
      old: T,
      make: (n: number) => T,
    ): T => {
      const next = make(this.capacity);
      next.set(old);
      return next;
    };
    this.userIds = grow(this.userIds, (n) => new Int32Array(n));
    this.itemIds = grow(this.itemIds, (n) => new Int32Array(n));
    this.rating = grow(this.rating, (n) => new Float32Array(n));
    this.timestamp = grow(this.timestamp, (n) => new Uint32Array(n));
  }
}

/** "Toy Story (1995)" → { title: "Toy Story", year: 1995 }; titles without a year keep it null. */
export function splitTitleYear(fullTitle: string): { title: string; year: number | null } {
  const match = /^(.*) \((\d{4})\)$/.exec(fullTitle);
  if (!match) return { title: fullTitle, year: null };
  return { title: match[1], year: Number(match[2]) };
}

export function joinTitleYear(movie: Pick<Movie, 'title' | 'year'>): string {
  return movie.year === null ? movie.title : `${movie.title} (${movie.year})`;
}

/** The 18 genres of MovieLens 1M, in the order of its README. */
export const ML1M_GENRES = [
  'Action',
  'Adventure',
  'Animation',
  "Children's",
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
] as const;

/** ML-1M age buckets: each is the lower bound of its range (1 means "under 18"). */
export const ML1M_AGE_BUCKETS = [1, 18, 25, 35, 45, 50, 56] as const;

/** The ML-1M bucket an age in years falls in. */
export function ageBucket(age: number): number {
  let bucket: number = ML1M_AGE_BUCKETS[0];
  for (const lower of ML1M_AGE_BUCKETS) if (age >= lower) bucket = lower;
  return bucket;
}

/** ML-1M occupation codes 0–20, as its README names them. */
export const ML1M_OCCUPATIONS = [
  'other or not specified',
  'academic/educator',
  'artist',
  'clerical/admin',
  'college/grad student',
  'customer service',
  'doctor/health care',
  'executive/managerial',
  'farmer',
  'homemaker',
  'K-12 student',
  'lawyer',
  'programmer',
  'retired',
  'sales/marketing',
  'scientist',
  'self-employed',
  'technician/engineer',
  'tradesman/craftsman',
  'unemployed',
  'writer',
] as const;
