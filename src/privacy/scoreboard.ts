/**
 * The `scoreboard` re-identification protocol of BENCHMARKS.md: the Narayanan–Shmatikov
 * Scoreboard-RH attack run on a released dataset, with auxiliary knowledge drawn from the true
 * (pre-release) data and success checked against the release → original mapping.
 */
import type { Dataset, Ratings } from '../datasets/dataset.ts';
import { Random } from '../util/random.ts';
import { SECONDS_PER_DAY, groupRows, rowsByUser, timeSpan, type Grouped } from './columns.ts';

/** One adversary: m known ratings, w of them wrong, dates within ±days (null: no dates known). */
export interface ScoreboardSetting {
  readonly m: number;
  readonly w: number;
  readonly days: number | null;
  /**
   * Knows the policy: its known ratings are drawn only among the target's ratings of movies the
   * policy leaves most intact (ScoreboardOptions.intactMovies: a swap's popular movies), else of
   * movies the release keeps (rare movies are suppressed; sampling and perturbation spare none).
   */
  readonly policyAware?: boolean;
  /** Knows what the site shows of the target (publicKnowledge.ts) instead of m drawn ratings. */
  readonly publicKnowledge?: boolean;
}

/** The five settings of BENCHMARKS.md, in its order. */
export const SCOREBOARD_SETTINGS: readonly ScoreboardSetting[] = [
  { m: 8, w: 2, days: 14 },
  { m: 6, w: 0, days: 14 },
  { m: 4, w: 0, days: 3 },
  { m: 2, w: 0, days: 3 },
  { m: 8, w: 2, days: null },
];

/**
 * Adversaries stronger than the five (issue #13): more known ratings, and one that knows the
 * policy (released movies only; no dates, since the policy shifts them). Gated at
 * `gate.maxReidentifiedStronger`.
 */
export const STRONGER_SETTINGS: readonly ScoreboardSetting[] = [
  { m: 12, w: 0, days: 14 },
  { m: 20, w: 0, days: 14 },
  { m: 12, w: 0, days: null, policyAware: true },
];

export function settingName(setting: ScoreboardSetting): string {
  if (setting.publicKnowledge) return 'public knowledge: shared ratings (month), posts';
  const dates = setting.days === null ? 'no dates' : `D=${setting.days}`;
  return `m=${setting.m}, w=${setting.w}, ${dates}${setting.policyAware ? ', policy-aware' : ''}`;
}

/** Seed of the adversary's random choices (BENCHMARKS.md: seed 7). */
export const SCOREBOARD_SEED = 7;
/** Eccentricity a best guess needs before a match is declared. */
export const ECCENTRICITY_THRESHOLD = 1.5;

export interface ScoreboardOutcome {
  setting: ScoreboardSetting;
  name: string;
  targets: number;
  /**
   * Shares of targets (0–1). A declared match is a re-identification when it is the target's
   * record or a record whose ratings are mostly the target's own (see RecordHolding).
   */
  reidentified: number;
  wrongMatch: number;
  noMatch: number;
  /**
   * Mean share of a wrongly matched record's ratings that are the target's own (what a confident
   * but wrong match teaches the adversary about the target; 0 without wrong matches).
   */
  wrongMatchHeld: number;
  /** Mean entropy (bits) of the attacker's posterior over all released users. */
  meanEntropyBits: number;
  /** Entropy of a uniform guess over all released users, log2(N). */
  priorEntropyBits: number;
}

/**
 * The release as the attacker sees it: for each release item (indexed like release.itemIds), its
 * raters (release user indexes), their ratings and days (Unix time / 86400).
 */
export interface ReleaseIndex {
  readonly users: number;
  readonly byItem: Grouped;
  readonly rater: Int32Array;
  readonly rating: Float32Array;
  readonly day: Float64Array;
  readonly hasDates: boolean;
  readonly ratings: Ratings;
  /**
   * e^{±(day − origin)/30} per row, so that e^{−|a − b|/30} = e^{−(a−o)/30}·e^{(b−o)/30} (a ≥ b)
   * costs one multiplication instead of an exp in the inner loop. Null when the span is too
   * wide for doubles (the attack then calls Math.exp).
   */
  readonly dayGrowth: Float64Array | null;
  readonly dayDecay: Float64Array | null;
  readonly origin: number;
  /**
   * 2 × rating per row when every rating lies on the half-star grid within 0–20 stars (the
   * rating term is then a lookup per row), else null.
   */
  readonly ratingHalves: Uint8Array | null;
}

/** e^{−k/2 / 1.5}: the rating term for |Δrating| = k/2 (ratings lie on a half-star grid). */
const RATING_SIMILARITY = Float64Array.from({ length: 41 }, (_, k) => Math.exp(-(k / 2) / 1.5));

/** Scratch: the rating term of each release rating (in half stars) for the current aux rating. */
const similarityOf = new Float64Array(41);

function ratingSimilarity(difference: number): number {
  const steps = difference * 2;
  return steps <= 40 && Number.isInteger(steps)
    ? RATING_SIMILARITY[steps]
    : Math.exp(-difference / 1.5);
}

export function indexRelease(release: Ratings): ReleaseIndex {
  const byItem = groupRows(release.itemIndex, release.itemIds.size);
  const n = release.length;
  const rater = new Int32Array(n);
  const rating = new Float32Array(n);
  const day = new Float64Array(n);
  let hasDates = false;
  let onGrid = true;
  const ratingHalves = new Uint8Array(n);
  let low = Infinity;
  let high = -Infinity;
  for (let k = 0; k < n; k++) {
    const r = byItem.order[k];
    rater[k] = release.userIndex[r];
    rating[k] = release.rating[r];
    day[k] = release.timestamp[r] / SECONDS_PER_DAY;
    const halves = rating[k] * 2;
    if (Number.isInteger(halves) && halves >= 0 && halves <= 40) ratingHalves[k] = halves;
    else onGrid = false;
    if (day[k] < low) low = day[k];
    if (day[k] > high) high = day[k];
    if (release.timestamp[r] !== 0) hasDates = true;
  }
  const origin = n === 0 ? 0 : (low + high) / 2;
  // Aux dates may lie up to a few years outside the release's span; stay far from overflow.
  const usable = n > 0 && (high - low) / 2 + 3650 < 600 * 30;
  let dayGrowth: Float64Array | null = null;
  let dayDecay: Float64Array | null = null;
  if (usable) {
    dayGrowth = new Float64Array(n);
    dayDecay = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      dayGrowth[k] = Math.exp((day[k] - origin) / 30);
      dayDecay[k] = Math.exp(-(day[k] - origin) / 30);
    }
  }
  return {
    users: release.userIds.size,
    byItem,
    rater,
    rating,
    day,
    hasDates,
    ratings: release,
    dayGrowth,
    dayDecay,
    origin,
    ratingHalves: onGrid ? ratingHalves : null,
  };
}

/** Auxiliary knowledge about one target: movie ids, ratings, and days (NaN when unknown). */
export interface AuxiliaryKnowledge {
  movieIds: Int32Array;
  ratings: Float32Array;
  days: Float64Array;
}

/** The attacker's view of the truth: the original dataset, grouped by user. */
export interface TruthIndex {
  readonly dataset: Dataset;
  readonly byUser: Grouped;
  readonly catalog: Int32Array;
  /** Dense item index (in dataset.ratings) of each catalog movie, -1 when nobody rated it. */
  readonly catalogItem: Int32Array;
  readonly span: [number, number];
  /** Scratch marks of the items a target rated (mark[item] === stamp). */
  readonly mark: Int32Array;
  stamp: number;
  /** Scratch of drawAuxiliary's shuffle, as long as the longest user's ratings. */
  readonly picks: Int32Array;
}

export function indexTruth(dataset: Dataset): TruthIndex {
  const catalogIds = new Set<number>(dataset.movies.map((movie) => movie.id));
  for (const id of dataset.ratings.itemIds.ids) catalogIds.add(id);
  const catalog = Int32Array.from(catalogIds).sort();
  const catalogItem = Int32Array.from(catalog, (id) => dataset.ratings.itemIds.indexOf(id));
  const byUser = rowsByUser(dataset.ratings);
  let longest = 0;
  for (let u = 0; u + 1 < byUser.start.length; u++)
    longest = Math.max(longest, byUser.start[u + 1] - byUser.start[u]);
  return {
    dataset,
    byUser,
    catalog,
    catalogItem,
    span: timeSpan(dataset.ratings),
    mark: new Int32Array(dataset.ratings.itemIds.size),
    stamp: 0,
    picks: new Int32Array(longest),
  };
}

/**
 * Draws the adversary's knowledge of one original user: m − w of the user's true ratings
 * (rating exact, date within ±days), and w wrong items (a catalog movie the user did not rate, a
 * uniform rating on the scale, a uniform date over the dataset's time span). With `known`, the
 * true ratings are drawn only among the user's ratings of items (truth indexes) marked 1.
 */
export function drawAuxiliary(
  truth: TruthIndex,
  originalUser: number,
  setting: ScoreboardSetting,
  random: Random,
  known?: Uint8Array,
): AuxiliaryKnowledge {
  const { ratings, scale } = truth.dataset;
  const start = truth.byUser.start[originalUser];
  const rows = truth.byUser.start[originalUser + 1] - start;
  // Partial Fisher–Yates over the user's (knowable) rows.
  const picks = truth.picks;
  let count = 0;
  for (let k = 0; k < rows; k++)
    if (!known || known[ratings.itemIndex[truth.byUser.order[start + k]]]) picks[count++] = k;
  const correct = Math.min(setting.m - setting.w, count);
  const total = correct + setting.w;
  const movieIds = new Int32Array(total);
  const auxRatings = new Float32Array(total);
  const days = new Float64Array(total);
  const stamp = ++truth.stamp;
  for (let k = 0; k < rows; k++)
    truth.mark[ratings.itemIndex[truth.byUser.order[start + k]]] = stamp;
  for (let k = 0; k < correct; k++) {
    const j = k + random.int(count - k);
    const swap = picks[k];
    picks[k] = picks[j];
    picks[j] = swap;
    const r = truth.byUser.order[start + picks[k]];
    movieIds[k] = ratings.itemIds.ids[ratings.itemIndex[r]];
    auxRatings[k] = ratings.rating[r];
    const offset = setting.days === null ? 0 : random.uniform(-setting.days, setting.days);
    days[k] = setting.days === null ? NaN : ratings.timestamp[r] / SECONDS_PER_DAY + offset;
  }
  const levels = Math.round((scale.max - scale.min) / scale.step) + 1;
  for (let k = correct; k < total; k++) {
    let movie: number;
    let attempts = 0;
    let rejected: boolean;
    do {
      const c = random.int(truth.catalog.length);
      movie = truth.catalog[c];
      rejected =
        (truth.catalogItem[c] >= 0 && truth.mark[truth.catalogItem[c]] === stamp) ||
        movieIds.subarray(correct, k).includes(movie);
      attempts++;
    } while (rejected && attempts < 1000);
    movieIds[k] = movie;
    auxRatings[k] = scale.min + scale.step * random.int(levels);
    const day = random.uniform(truth.span[0], truth.span[1]) / SECONDS_PER_DAY;
    days[k] = setting.days === null ? NaN : day;
  }
  return { movieIds, ratings: auxRatings, days };
}

/** Per-candidate scores, reusable across targets (only touched entries are reset). */
export class ScoreAccumulator {
  readonly scores: Float64Array;
  readonly touched: Int32Array;
  touchedCount = 0;

  constructor(users: number) {
    this.scores = new Float64Array(users);
    this.touched = new Int32Array(users);
  }

  reset(): void {
    for (let k = 0; k < this.touchedCount; k++) this.scores[this.touched[k]] = 0;
    this.touchedCount = 0;
  }
}

export interface AttackResult {
  /** Release user index of the best guess, or -1 when no user scored. */
  bestGuess: number;
  /** (max − max2) / σ, 0 when σ is 0. */
  eccentricity: number;
  declared: boolean;
  entropyBits: number;
}

/**
 * Scores every released user against the auxiliary knowledge and applies the eccentricity test.
 * Only candidates sharing an aux item are visited; σ counts the zero-score users analytically.
 */
export function scoreboardAttack(
  release: ReleaseIndex,
  aux: AuxiliaryKnowledge,
  accumulator: ScoreAccumulator,
  withEntropy = true,
): AttackResult {
  accumulator.reset();
  addScores(release, aux, 0, aux.movieIds.length, accumulator);
  return judgeScores(release, accumulator, withEntropy);
}

/**
 * Adds the scores of the known ratings `from` … `to` − 1 of `aux` to every candidate (an attack
 * reads its knowledge a movie at a time: the knowledge curve judges after each).
 */
export function addScores(
  release: ReleaseIndex,
  aux: AuxiliaryKnowledge,
  from: number,
  to: number,
  accumulator: ScoreAccumulator,
): void {
  const { scores, touched } = accumulator;
  const useDates = release.hasDates;
  const itemIds = release.ratings.itemIds;
  for (let a = from; a < to; a++) {
    const item = itemIds.indexOf(aux.movieIds[a]);
    if (item < 0) continue;
    const begin = release.byItem.start[item];
    const end = release.byItem.start[item + 1];
    const support = end - begin;
    if (support === 0) continue;
    const weight = 1 / Math.log(Math.max(2, support));
    const auxRating = aux.ratings[a];
    const auxDay = aux.days[a];
    const withDate = useDates && !Number.isNaN(auxDay);
    const { dayGrowth, dayDecay, day, rating, rater, ratingHalves } = release;
    const auxHalves = auxRating * 2;
    if (ratingHalves && Number.isInteger(auxHalves) && auxHalves >= 0 && auxHalves <= 40) {
      // The rating term by lookup: |Δ| in half stars indexes RATING_SIMILARITY.
      for (let h = 0; h <= 40; h++) similarityOf[h] = RATING_SIMILARITY[Math.abs(h - auxHalves)];
      if (withDate && dayGrowth && dayDecay) {
        const auxGrowth = Math.exp((auxDay - release.origin) / 30);
        const auxDecay = Math.exp(-(auxDay - release.origin) / 30);
        for (let k = begin; k < end; k++) {
          const dateTerm = day[k] >= auxDay ? dayDecay[k] * auxGrowth : dayGrowth[k] * auxDecay;
          const user = rater[k];
          if (scores[user] === 0) touched[accumulator.touchedCount++] = user;
          scores[user] += weight * (similarityOf[ratingHalves[k]] + dateTerm);
        }
        continue;
      }
      if (!withDate) {
        for (let k = begin; k < end; k++) {
          const user = rater[k];
          if (scores[user] === 0) touched[accumulator.touchedCount++] = user;
          scores[user] += weight * similarityOf[ratingHalves[k]];
        }
        continue;
      }
    }
    if (withDate && dayGrowth && dayDecay) {
      const auxGrowth = Math.exp((auxDay - release.origin) / 30);
      const auxDecay = Math.exp(-(auxDay - release.origin) / 30);
      for (let k = begin; k < end; k++) {
        const dateTerm = day[k] >= auxDay ? dayDecay[k] * auxGrowth : dayGrowth[k] * auxDecay;
        const similarity = ratingSimilarity(Math.abs(rating[k] - auxRating)) + dateTerm;
        const user = rater[k];
        if (scores[user] === 0) touched[accumulator.touchedCount++] = user;
        scores[user] += weight * similarity;
      }
    } else {
      for (let k = begin; k < end; k++) {
        let similarity = ratingSimilarity(Math.abs(rating[k] - auxRating));
        if (withDate) similarity += Math.exp(-Math.abs(day[k] - auxDay) / 30);
        const user = rater[k];
        if (scores[user] === 0) touched[accumulator.touchedCount++] = user;
        scores[user] += weight * similarity;
      }
    }
  }
}

/** The best guess and the eccentricity test over the scores accumulated so far. */
export function judgeScores(
  release: ReleaseIndex,
  accumulator: ScoreAccumulator,
  withEntropy: boolean,
): AttackResult {
  const { scores, touched } = accumulator;
  const n = release.users;
  let sum = 0;
  let sumSquares = 0;
  let max = 0;
  let max2 = 0;
  let best = -1;
  for (let k = 0; k < accumulator.touchedCount; k++) {
    const user = touched[k];
    const s = scores[user];
    sum += s;
    sumSquares += s * s;
    if (s > max) {
      max2 = max;
      max = s;
      best = user;
    } else if (s === max) {
      max2 = s;
      if (user < best) best = user;
    } else if (s > max2) max2 = s;
  }
  if (n === 0 || best < 0)
    return {
      bestGuess: -1,
      eccentricity: 0,
      declared: false,
      entropyBits: Math.log2(Math.max(1, n)),
    };
  const mean = sum / n;
  const sigma = Math.sqrt(Math.max(0, sumSquares / n - mean * mean));
  const eccentricity = sigma > 0 ? (max - max2) / sigma : 0;
  // Posterior ∝ exp(score / σ) (Narayanan–Shmatikov), over all n released users.
  let entropyBits = Math.log2(n);
  if (sigma > 0 && withEntropy) {
    const zeros = n - accumulator.touchedCount;
    let z = zeros * Math.exp(-max / sigma);
    let weighted = zeros * Math.exp(-max / sigma) * (-max / sigma);
    for (let k = 0; k < accumulator.touchedCount; k++) {
      const x = (scores[touched[k]] - max) / sigma;
      const e = Math.exp(x);
      z += e;
      weighted += e * x;
    }
    // H = log Z − E[x] (natural units), converted to bits.
    entropyBits = Math.max(0, (Math.log(z) - weighted / z) / Math.LN2);
  }
  return {
    bestGuess: best,
    eccentricity,
    declared: eccentricity >= ECCENTRICITY_THRESHOLD,
    entropyBits,
  };
}
