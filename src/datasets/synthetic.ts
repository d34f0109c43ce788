import { Random } from '../util/random.ts';
import {
  FIVE_STARS,
  ML1M_GENRES,
  ratingsFromExternalIds,
  type Dataset,
  type Gender,
  type Movie,
  type UserProfile,
} from './dataset.ts';
import { inventTitles } from './syntheticTitles.ts';

/**
 * A synthetic MovieLens: ML-1M-shaped data from a latent-factor taste model, so collaborative
 * filtering has real signal to find, with none of MovieLens's licence restrictions. Its popularity
 * law, per-user counts and rating times are calibrated so that, at ML-100K's shape, it is as
 * re-identifiable as ML-100K (bench/synthetic-fit.ts; README: The synthetic generator).
 */
export interface SyntheticOptions {
  users: number;
  movies: number;
  ratings: number;
  seed: number;
}

export const MIN_RATINGS_PER_USER = 20;
const FACTORS = 10;
/**
 * ML-1M's first rating, 2000-04-25; its last, 2003-02-28, is later than the last a member can
 * make here (after JOIN_DAYS + ACTIVE_DAYS).
 */
const FIRST_TIME = 956703932;
const DAY = 86400;
/**
 * Members join during the first days of the span (ML-1M's all joined in 2000); 180 days give, at
 * ML-100K's shape, ML-100K's crowding of a movie's ratings in time.
 */
const JOIN_DAYS = 180;
/**
 * Share of members who rate everything in one sitting on the day they join (ML-100K: 64% of its
 * members rated on one day only).
 */
const ONE_SITTING = 0.66;
/** Later visits of the other members: 1 + a geometric number with about this mean. */
const LATER_VISITS = 9;
/** The longest activity period after joining, in days. */
const ACTIVE_DAYS = 800;
/** Shape of the Gamma law of ratings per user beyond the minimum. */
const COUNT_SHAPE = 0.6;
/** Popularity weight: (x + HEAD)^−POWER · e^(−TAIL·x) at rank share x (fitted to ML-100K). */
const POPULARITY_HEAD = 0.002;
const POPULARITY_POWER = 0.4;
const POPULARITY_TAIL = 4.6;
/**
 * How predictable a star is, calibrated on ML-100K: a member's taste decides what they watch in
 * full, but only half of it shows in the star, beside the member's and the movie's bias and this
 * much noise. With the whole taste and a noise of 0.55, svd's RMSE on synthetic-1m was 73% of the
 * bias model's, against 98% on ML-100K (README: The synthetic generator).
 */
const TASTE_IN_STARS = 0.5;
const STAR_NOISE = 0.65;

/** How many ML-1M movies carry each genre (same order as ML1M_GENRES). */
const GENRE_FREQUENCY = [
  503, 283, 105, 251, 1200, 211, 127, 1603, 68, 44, 343, 114, 106, 471, 276, 492, 143, 68,
];
/** ML-1M rating shares for 1..5 stars. */
const RATING_SHARES = [0.0562, 0.1075, 0.2611, 0.3489, 0.2263];
const AGE_BUCKETS = [1, 18, 25, 35, 45, 50, 56];
const AGE_SHARES = [222, 1103, 2096, 1193, 550, 496, 380];
const OCCUPATION_SHARES = [
  711, 528, 267, 173, 759, 112, 236, 679, 17, 92, 195, 129, 388, 142, 302, 144, 241, 502, 70, 72,
  281,
];
/** Three-digit US zip prefixes with rough weights (MovieLens began in Minnesota). */
const ZIP_PREFIXES: Array<[string, number]> = [
  ['554', 30],
  ['551', 20],
  ['553', 10],
  ['100', 12],
  ['112', 6],
  ['021', 8],
  ['606', 10],
  ['900', 10],
  ['941', 8],
  ['945', 6],
  ['981', 7],
  ['200', 6],
  ['303', 5],
  ['770', 6],
  ['752', 5],
  ['191', 5],
  ['852', 4],
  ['482', 4],
  ['331', 4],
  ['802', 5],
  ['972', 5],
  ['921', 5],
  ['152', 3],
  ['432', 3],
  ['462', 3],
  ['537', 4],
  ['532', 3],
  ['641', 3],
  ['681', 2],
  ['841', 3],
  ['871', 2],
  ['891', 3],
  ['700', 2],
  ['372', 3],
  ['282', 3],
  ['275', 3],
  ['232', 3],
  ['068', 3],
  ['080', 3],
  ['146', 3],
  ['142', 2],
  ['600', 4],
  ['601', 3],
  ['945', 3],
  ['950', 4],
  ['958', 2],
  ['967', 1],
  ['995', 1],
];

function validate(options: SyntheticOptions): void {
  const { users, movies, ratings, seed } = options;
  for (const [name, value] of Object.entries({ users, movies, ratings, seed })) {
    if (!Number.isInteger(value) || value < 0)
      throw new RangeError(`--${name} must be a whole number ≥ 0, got ${value}`);
  }
  if (users < 1) throw new RangeError('--users must be at least 1');
  if (movies < MIN_RATINGS_PER_USER * 2)
    throw new RangeError(`--movies must be at least ${MIN_RATINGS_PER_USER * 2}`);
  if (ratings < users * MIN_RATINGS_PER_USER) {
    throw new RangeError(
      `--ratings must be at least ${MIN_RATINGS_PER_USER} per user (${users * MIN_RATINGS_PER_USER})`,
    );
  }
  if (ratings > users * maxRatingsPerUser(movies)) {
    throw new RangeError(
      `--ratings must be at most ${users * maxRatingsPerUser(movies)} for ${users} users and ${movies} movies`,
    );
  }
}

function maxRatingsPerUser(movies: number): number {
  return Math.floor(movies * 0.6);
}

function makeMovies(count: number, seed: number, random: Random, genreFactors: Float64Array[]) {
  const movies: Movie[] = [];
  const titles = inventTitles(count, seed);
  const factors = new Float32Array(count * FACTORS);
  const popularity = new Float64Array(count);
  const bias = new Float64Array(count);
  // Long-tailed popularity over a random ranking of the movies.
  const rank = random.shuffle(Int32Array.from({ length: count }, (_, i) => i));
  for (let i = 0; i < count; i++) {
    const genres = new Set<number>([random.weighted(GENRE_FREQUENCY)]);
    const extra = random.next();
    const wanted = extra < 0.5 ? 1 : extra < 0.85 ? 2 : extra < 0.97 ? 3 : 4;
    while (genres.size < wanted) genres.add(random.weighted(GENRE_FREQUENCY));
    const genreList = [...genres].sort((a, b) => a - b);
    for (let f = 0; f < FACTORS; f++) {
      let value = 0;
      for (const g of genreList) value += genreFactors[g][f];
      factors[i * FACTORS + f] = value / Math.sqrt(genreList.length) + random.normal(0, 0.3);
    }
    popularity[i] = popularityWeight((rank[i] + 0.5) / count);
    bias[i] = random.normal(0, 0.35) + 0.12 * Math.log(popularity[i] * count);
    const year = Math.max(1919, 2000 - Math.floor(-Math.log(1 - random.next()) * 11));
    movies.push({
      id: i + 1,
      title: titles[i],
      year,
      genres: genreList.map((g) => ML1M_GENRES[g]),
    });
  }
  return { movies, factors, popularity, bias };
}

function makeUserProfile(id: number, random: Random): UserProfile {
  const gender: Gender = random.next() < 0.717 ? 'M' : 'F';
  const occupation = random.weighted(OCCUPATION_SHARES);
  let age = AGE_BUCKETS[random.weighted(AGE_SHARES)];
  if (occupation === 10) age = random.next() < 0.6 ? 1 : 18; // K-12 student
  if (occupation === 4 && age > 25) age = random.next() < 0.6 ? 18 : 25; // college student
  if (occupation === 13 && age < 50) age = random.next() < 0.5 ? 50 : 56; // retired
  const prefixes = ZIP_PREFIXES.map(([, weight]) => weight);
  const prefix = ZIP_PREFIXES[random.weighted(prefixes)][0];
  const zip = prefix + String(random.int(100)).padStart(2, '0');
  return { id, gender, age, occupation, zip };
}

/**
 * The popularity weight of the movie at rank share x (0: the most popular, 1: the least): a
 * power-law head and an exponential tail, which with users' tastes gives ML-100K's counts of
 * raters by rank (a head of blockbusters most members rated, a fifth of the catalog with < 5).
 */
function popularityWeight(x: number): number {
  return Math.exp(-POPULARITY_TAIL * x) / Math.pow(x + POPULARITY_HEAD, POPULARITY_POWER);
}

/** A Gamma(shape, 1) deviate (Marsaglia–Tsang; shape < 1 through Gamma(shape + 1)·U^(1/shape)). */
function gammaDeviate(shape: number, random: Random): number {
  if (shape < 1) return gammaDeviate(shape + 1, random) * Math.pow(random.next(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = random.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random.next();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/**
 * Ratings per user: 20 plus a Gamma(0.6)-distributed share of the rest, summing exactly to the
 * requested total. Over its mean, what an ML-100K member rates beyond the 20 follows Gamma(0.6)
 * closely: a tenth of the members stop at ≤ 23, the median is half the mean (in ML-1M too), the
 * top 1% rate five times the mean.
 */
function ratingsPerUser(options: SyntheticOptions, random: Random): Int32Array {
  const { users, ratings, movies } = options;
  const cap = maxRatingsPerUser(movies);
  const weights = new Float64Array(users);
  let total = 0;
  for (let u = 0; u < users; u++) total += weights[u] = gammaDeviate(COUNT_SHAPE, random);
  const counts = new Int32Array(users);
  let assigned = 0;
  const extra = ratings - users * MIN_RATINGS_PER_USER;
  for (let u = 0; u < users; u++) {
    counts[u] = Math.min(cap, MIN_RATINGS_PER_USER + Math.floor((extra * weights[u]) / total));
    assigned += counts[u];
  }
  // Hand out what rounding and the cap left over, one at a time, to users below the cap.
  for (let u = 0; assigned < ratings; u = (u + 1) % users) {
    if (counts[u] < cap) {
      counts[u]++;
      assigned++;
    }
  }
  return counts;
}

/**
 * Per-user rating times, as MovieLens members rate: all join in the first months, two thirds rate
 * everything in one sitting on the day they join, the others rate a share at sign-up and the rest
 * over later visits within days to two years (ML-100K: 64% of the members rated on one day only,
 * three quarters within 9 days, a tenth over more than 100 days).
 */
function sessionTimes(count: number, random: Random): Uint32Array {
  const times = new Uint32Array(count);
  const join = FIRST_TIME + Math.floor(JOIN_DAYS * DAY * random.next());
  let time = join;
  // Within a sitting, one rating every few seconds to a minute and a half.
  const nextInSitting = () => (time += 4 + random.int(90));
  if (random.next() < ONE_SITTING) {
    for (let k = 0; k < count; k++) times[k] = nextInSitting();
    return times;
  }
  // The share rated at sign-up: 10–95%, leaning high.
  const first = Math.max(1, Math.round(count * (0.1 + 0.85 * Math.pow(random.next(), 0.75))));
  for (let k = 0; k < first; k++) times[k] = nextInSitting();
  // The later visits fall at uniform days of an activity period drawn log-uniformly between 1
  // and ACTIVE_DAYS days; each later rating joins one of them.
  const visits = 1 + Math.floor(-Math.log(1 - random.next()) * LATER_VISITS);
  const period = Math.exp(random.next() * Math.log(ACTIVE_DAYS));
  const starts = Float64Array.from(
    { length: visits },
    () => join + DAY * period * random.next(),
  ).sort();
  const visitOf = Int32Array.from({ length: count - first }, () => random.int(visits)).sort();
  for (let k = first, v = -1; k < count; k++) {
    const visit = visitOf[k - first];
    if (visit !== v) time = Math.max(time, Math.floor(starts[(v = visit)]));
    times[k] = nextInSitting();
  }
  return times;
}

/** The k-th smallest value (0-based) by quickselect; reorders `values`. */
function nthSmallest(values: Float64Array, k: number): number {
  let low = 0;
  let high = values.length - 1;
  while (low < high) {
    const pivot = values[(low + high) >>> 1];
    let i = low;
    let j = high;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const swap = values[i];
        values[i++] = values[j];
        values[j--] = swap;
      }
    }
    if (k <= j) high = j;
    else if (k >= i) low = i;
    else return values[k];
  }
  return values[k];
}

/** One user's generated ratings: movie indexes ascending, latent scores (stars come from them), times. */
export interface SyntheticUserRatings {
  count: number;
  /** 0-based movie indexes (movie id − 1), ascending. */
  items: Int32Array;
  scores: Float32Array;
  times: Uint32Array;
}

/**
 * Replays the generator: the catalog, then each user in id order with their ratings (the same
 * draws on every call, so a caller can pass over the data twice instead of holding it). The
 * arrays handed to `visit` are reused: copy what you keep. Returns the catalog.
 */
export function replaySynthetic(
  options: SyntheticOptions,
  visit: (user: UserProfile, rated: SyntheticUserRatings) => void,
): Movie[] {
  validate(options);
  const random = new Random(options.seed);
  const genreFactors = ML1M_GENRES.map(() =>
    Float64Array.from({ length: FACTORS }, () => random.normal(0, 0.55)),
  );
  const catalog = makeMovies(options.movies, options.seed, random, genreFactors);
  const counts = ratingsPerUser(options, random);
  const m = options.movies;
  const cap = maxRatingsPerUser(m);
  const rated: SyntheticUserRatings = {
    count: 0,
    items: new Int32Array(cap),
    scores: new Float32Array(cap),
    times: new Uint32Array(cap),
  };
  const userFactors = new Float64Array(FACTORS);
  const keys = new Float64Array(m);
  const affinities = new Float64Array(m);
  const scratch = new Float64Array(m);
  for (let u = 0; u < options.users; u++) {
    const user = makeUserProfile(u + 1, random);
    for (let f = 0; f < FACTORS; f++) userFactors[f] = random.normal(0, 0.5);
    const userBias = random.normal(0, 0.4);
    // Weighted sampling without replacement (exponential race): people watch what is popular
    // and what they expect to like. The n smallest keys win.
    for (let i = 0; i < m; i++) {
      let affinity = 0;
      for (let f = 0; f < FACTORS; f++)
        affinity += userFactors[f] * catalog.factors[i * FACTORS + f];
      affinities[i] = affinity;
      const weight = catalog.popularity[i] * Math.exp(0.9 * affinity);
      keys[i] = -Math.log(1 - random.next()) / weight;
    }
    const n = counts[u];
    scratch.set(keys);
    const threshold = nthSmallest(scratch, n - 1);
    const times = sessionTimes(n, random);
    random.shuffle(times);
    let k = 0;
    for (let i = 0; i < m && k < n; i++) {
      if (keys[i] > threshold) continue;
      rated.items[k] = i;
      rated.scores[k] =
        userBias + catalog.bias[i] + TASTE_IN_STARS * affinities[i] + random.normal(0, STAR_NOISE);
      rated.times[k] = times[k];
      k++;
    }
    rated.count = k;
    visit(user, rated);
  }
  return catalog.movies;
}

/**
 * The latent scores where 2, 3, 4 and 5 stars begin: global quantiles, so the rating shares
 * match ML-1M. Sorts `scores` in place.
 */
export function starCuts(scores: Float32Array): number[] {
  scores.sort();
  const cuts: number[] = [];
  let share = 0;
  for (let s = 0; s < 4; s++) {
    share += RATING_SHARES[s];
    cuts.push(scores[Math.min(scores.length - 1, Math.floor(share * scores.length))]);
  }
  return cuts;
}

/** The star of a latent score (a float32, as stored) given `starCuts`. */
export function starOf(score: number, cuts: readonly number[]): number {
  let star = 1;
  while (star < 5 && score >= cuts[star - 1]) star++;
  return star;
}

/** Generates a deterministic synthetic dataset: the same options give the same data. */
export function generateSynthetic(options: SyntheticOptions): Dataset {
  const userIds = new Int32Array(options.ratings);
  const itemIds = new Int32Array(options.ratings);
  const scores = new Float32Array(options.ratings);
  const timestamps = new Uint32Array(options.ratings);
  const users: UserProfile[] = [];
  let r = 0;
  const movies = replaySynthetic(options, (user, rated) => {
    users.push(user);
    for (let k = 0; k < rated.count; k++, r++) {
      userIds[r] = user.id;
      itemIds[r] = rated.items[k] + 1;
      scores[r] = rated.scores[k];
      timestamps[r] = rated.times[k];
    }
  });
  const cuts = starCuts(scores.slice());
  const stars = scores.map((score) => starOf(score, cuts));
  const ratings = ratingsFromExternalIds(userIds, itemIds, stars, timestamps);
  return { ratings, movies, users, scale: FIVE_STARS };
}
