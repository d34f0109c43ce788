import type { Ratings } from '../datasets/dataset.ts';

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

export function rowsByItem(ratings: Ratings): Grouped {
  return groupRows(ratings.itemIndex, ratings.itemIds.size);
}

/** Number of ratings per dense user index. */
export function countPerUser(ratings: Ratings): Int32Array {
  const counts = new Int32Array(ratings.userIds.size);
  for (let r = 0; r < ratings.length; r++) counts[ratings.userIndex[r]]++;
  return counts;
}

/** Number of ratings per dense item index. */
export function countPerItem(ratings: Ratings): Int32Array {
  const counts = new Int32Array(ratings.itemIds.size);
  for (let r = 0; r < ratings.length; r++) counts[ratings.itemIndex[r]]++;
  return counts;
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
