/**
 * Rating and time transformations of a release, all on row selections and typed columns.
 * Every function is deterministic under the Random it is given.
 */
import type { RatingScale, Ratings } from '../datasets/dataset.ts';
import type { Random } from '../util/random.ts';
import { SECONDS_PER_DAY, groupRows, markRandomSample } from './columns.ts';

/** Rows of `rows` grouped by user: the positions k into rows with rows[k] belonging to user g. */
function groupSelection(ratings: Ratings, rows: Int32Array) {
  const keys = new Int32Array(rows.length);
  for (let k = 0; k < rows.length; k++) keys[k] = ratings.userIndex[rows[k]];
  return groupRows(keys, ratings.userIds.size);
}

/**
 * Per-user random sampling and capping: of each user's n rows, keeps
 * min(cap, max(minimum, round(fraction · n))) chosen at random (all when that is ≥ n).
 */
export function samplePerUser(
  ratings: Ratings,
  rows: Int32Array,
  options: { fraction: number; cap: number | null; minimum: number },
  random: Random,
): Int32Array {
  const grouped = groupSelection(ratings, rows);
  const keep = new Uint8Array(rows.length);
  let kept = 0;
  const users = ratings.userIds.size;
  for (let u = 0; u < users; u++) {
    const begin = grouped.start[u];
    const n = grouped.start[u + 1] - begin;
    if (n === 0) continue;
    let target = Math.max(Math.min(options.minimum, n), Math.round(options.fraction * n));
    if (options.cap !== null) target = Math.min(target, options.cap);
    if (target >= n) {
      for (let k = begin; k < begin + n; k++) keep[grouped.order[k]] = 1;
      kept += n;
      continue;
    }
    markRandomSample(grouped.order.slice(begin, begin + n), target, random, keep);
    kept += target;
  }
  const result = new Int32Array(kept);
  let next = 0;
  for (let k = 0; k < rows.length; k++) if (keep[k]) result[next++] = rows[k];
  return result;
}

/**
 * Removes ratings of movies with fewer than `minRaters` raters among the given rows; repeats
 * until stable is not needed (removing movies does not change other movies' counts).
 */
export function suppressRareMovies(
  ratings: Ratings,
  rows: Int32Array,
  minRaters: number,
): Int32Array {
  if (minRaters <= 1) return rows;
  const counts = new Int32Array(ratings.itemIds.size);
  for (let k = 0; k < rows.length; k++) counts[ratings.itemIndex[rows[k]]]++;
  let kept = 0;
  for (let k = 0; k < rows.length; k++) if (counts[ratings.itemIndex[rows[k]]] >= minRaters) kept++;
  const result = new Int32Array(kept);
  let next = 0;
  for (let k = 0; k < rows.length; k++)
    if (counts[ratings.itemIndex[rows[k]]] >= minRaters) result[next++] = rows[k];
  return result;
}

export type PerturbationMethod = 'uniform' | 'step';

/**
 * With the given probability, replaces a rating: `uniform` draws any rating of the scale
 * (randomized response); `step` moves it one step up or down (reflected at the ends).
 * Returns the number of ratings changed.
 */
export function perturbRatings(
  rating: Float32Array,
  probability: number,
  method: PerturbationMethod,
  scale: RatingScale,
  random: Random,
): number {
  if (probability <= 0) return 0;
  const levels = Math.round((scale.max - scale.min) / scale.step) + 1;
  let changed = 0;
  for (let k = 0; k < rating.length; k++) {
    if (random.next() >= probability) continue;
    const before = rating[k];
    if (method === 'uniform') {
      rating[k] = scale.min + scale.step * random.int(levels);
    } else {
      let next = before + (random.next() < 0.5 ? -scale.step : scale.step);
      if (next < scale.min) next = before + scale.step;
      if (next > scale.max) next = before - scale.step;
      rating[k] = next;
    }
    if (rating[k] !== before) changed++;
  }
  return changed;
}

export type Granularity = 'second' | 'day' | 'week' | 'month';

/** Truncates a Unix time to the start of its UTC day, ISO week (Monday) or month. */
export function coarsenTime(seconds: number, granularity: Granularity): number {
  if (granularity === 'second' || seconds === 0) return seconds;
  const day = Math.floor(seconds / SECONDS_PER_DAY);
  if (granularity === 'day') return day * SECONDS_PER_DAY;
  if (granularity === 'week') {
    // 1970-01-01 was a Thursday: day 4 of the week starting Monday (0).
    const weekday = (day + 3) % 7;
    return Math.max(0, (day - weekday) * SECONDS_PER_DAY);
  }
  return (day - dayOfMonth(day)) * SECONDS_PER_DAY;
}

/**
 * The day of the month (0-based) of a day number since 1970-01-01 (UTC), by the proleptic
 * Gregorian calendar's arithmetic (Hinnant's civil_from_days) rather than a Date per rating.
 */
function dayOfMonth(day: number): number {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36524) -
      Math.floor(dayOfEra / 146096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  return dayOfYear - Math.floor((153 * monthIndex + 2) / 5);
}

/**
 * Transforms the timestamps of a release in place: per-user random shift (whole days, uniform in
 * ±shiftDays, one offset per user), then coarsening; `drop` writes 0 everywhere.
 */
export function transformTimes(
  timestamp: Uint32Array,
  userIndex: Int32Array,
  users: number,
  options: { drop: boolean; shiftDays: number; granularity: Granularity },
  random: Random,
): void {
  if (options.drop) {
    timestamp.fill(0);
    return;
  }
  const offsets = new Float64Array(users);
  if (options.shiftDays > 0) {
    for (let u = 0; u < users; u++) {
      offsets[u] = (random.int(2 * options.shiftDays + 1) - options.shiftDays) * SECONDS_PER_DAY;
    }
  }
  for (let k = 0; k < timestamp.length; k++) {
    if (timestamp[k] === 0) continue;
    const shifted = Math.max(1, Math.min(4294967295, timestamp[k] + offsets[userIndex[k]]));
    timestamp[k] = coarsenTime(shifted, options.granularity);
  }
}
