/**
 * The release's working rows (release.ts): the rows a release keeps with their transformed values
 * and times, and the compact Ratings made from them.
 */
import { IdIndex, type Ratings } from '../datasets/dataset.ts';

/** Rows of a base Ratings being released, with their (transformed) values and times. */
export interface Working {
  rows: Int32Array;
  rating: Float32Array;
  timestamp: Uint32Array;
}

/** A compact Ratings over the given rows and values: users and items indexed over those present. */
export function compactRatings(
  source: Ratings,
  working: Working,
  userIdOf: (sourceUser: number) => number,
): Ratings {
  const n = working.rows.length;
  const userIds = new Int32Array(n);
  const itemIds = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const r = working.rows[k];
    userIds[k] = userIdOf(source.userIndex[r]);
    itemIds[k] = source.itemIds.ids[source.itemIndex[r]];
  }
  const users = IdIndex.fromValues(userIds);
  const items = IdIndex.fromValues(itemIds);
  const userIndex = new Int32Array(n);
  const itemIndex = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    userIndex[k] = users.indexOf(userIds[k]);
    itemIndex[k] = items.indexOf(itemIds[k]);
  }
  return {
    length: n,
    userIndex,
    itemIndex,
    rating: working.rating,
    timestamp: working.timestamp,
    userIds: users,
    itemIds: items,
  };
}

/** Two ascending row lists merged into one ascending list. */
export function mergeRows(a: Int32Array, b: Int32Array): Int32Array {
  const merged = new Int32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  for (let k = 0; k < merged.length; k++)
    merged[k] = j >= b.length || (i < a.length && a[i] < b[j]) ? a[i++] : b[j++];
  return merged;
}

export function allRows(n: number): Int32Array {
  const rows = new Int32Array(n);
  for (let k = 0; k < n; k++) rows[k] = k;
  return rows;
}

/** The share of each released member's record that is its own (ReleaseSummary.ownShare). */
export function ownShare(
  source: Ratings,
  base: Ratings,
  working: Working,
  sourceRow: Int32Array | null,
): { mean: number; p10: number } {
  const users = source.userIds.size;
  const own = new Int32Array(users);
  const total = new Int32Array(users);
  for (let k = 0; k < working.rows.length; k++) {
    const r = working.rows[k];
    const origin = sourceRow ? sourceRow[r] : r;
    const u = base.userIndex[r];
    total[u]++;
    if (source.userIndex[origin] === u && source.rating[origin] === working.rating[k]) own[u]++;
  }
  const shares: number[] = [];
  for (let u = 0; u < users; u++) if (total[u] > 0) shares.push(own[u] / total[u]);
  if (shares.length === 0) return { mean: 1, p10: 1 };
  shares.sort((a, b) => a - b);
  return {
    mean: shares.reduce((sum, value) => sum + value, 0) / shares.length,
    p10: shares[Math.floor(0.1 * (shares.length - 1))],
  };
}

export function selectWorking(working: Working, keep: (k: number) => boolean): Working {
  let count = 0;
  for (let k = 0; k < working.rows.length; k++) if (keep(k)) count++;
  const next: Working = {
    rows: new Int32Array(count),
    rating: new Float32Array(count),
    timestamp: new Uint32Array(count),
  };
  let i = 0;
  for (let k = 0; k < working.rows.length; k++) {
    if (!keep(k)) continue;
    next.rows[i] = working.rows[k];
    next.rating[i] = working.rating[k];
    next.timestamp[i] = working.timestamp[k];
    i++;
  }
  return next;
}

export function rowsToWorking(ratings: Ratings, rows: Int32Array): Working {
  const rating = new Float32Array(rows.length);
  const timestamp = new Uint32Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    rating[k] = ratings.rating[rows[k]];
    timestamp[k] = ratings.timestamp[rows[k]];
  }
  return { rows, rating, timestamp };
}
