import { createHash } from 'node:crypto';
import type { Ratings } from '../datasets/dataset.ts';
import type { Random } from '../util/random.ts';

/** Ratings grouped by a key (user or item): rows of group g are order[start[g]..start[g+1]). */
export interface Grouped {
  /** start[g]..start[g+1] delimit the rows of group g in `order`; length groups + 1. */
  readonly start: Int32Array;
  /** Row numbers into the Ratings columns, grouped. */
  readonly order: Int32Array;
}

/** Counting sort of the rows by a dense key: linear time, stable. */
export function groupRows(keys: Int32Array, groups: number): Grouped {
  const start = new Int32Array(groups + 1);
  for (let r = 0; r < keys.length; r++) start[keys[r] + 1]++;
  for (let g = 0; g < groups; g++) start[g + 1] += start[g];
  const next = start.slice(0, groups);
  const order = new Int32Array(keys.length);
  for (let r = 0; r < keys.length; r++) order[next[keys[r]]++] = r;
  return { start, order };
}

export function rowsByUser(ratings: Ratings): Grouped {
  return groupRows(ratings.userIndex, ratings.userIds.size);
}

/**
 * A uniform random sample of `count` of the row numbers in `positions` (partial Fisher–Yates:
 * the sample ends up in positions[0..count)), each sampled row marked 1 in `marks`.
 */
export function markRandomSample(
  positions: Int32Array,
  count: number,
  random: Random,
  marks: Uint8Array,
): void {
  const n = positions.length;
  for (let k = 0; k < count; k++) {
    const j = k + random.int(n - k);
    const swap = positions[k];
    positions[k] = positions[j];
    positions[j] = swap;
    marks[positions[k]] = 1;
  }
}

/** Smallest and largest non-zero timestamp; [0, 0] when the ratings carry no time. */
export function timeSpan(ratings: Ratings): [number, number] {
  let low = Infinity;
  let high = -Infinity;
  for (let r = 0; r < ratings.length; r++) {
    const t = ratings.timestamp[r];
    if (t === 0) continue;
    if (t < low) low = t;
    if (t > high) high = t;
  }
  return low === Infinity ? [0, 0] : [low, high];
}

export const SECONDS_PER_DAY = 86400;

/** A digest of typed arrays (their bytes) and a text: the key of a measure already taken. */
export function digest(arrays: ArrayBufferView[], extra: string): string {
  const hash = createHash('sha256').update(extra);
  for (const array of arrays)
    hash.update(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  return hash.digest('hex');
}
