/**
 * Groups of similar movies for onboarding by groups (Chang et al. 2015: a new member picks a few
 * groups instead of rating 15 movies). Each movie is a sparse vector over the users who rated it
 * (an implicit "rated it" weight, raised for ratings above the user's mean), normalised to unit
 * length; spherical k-means with a capacity per group then splits them into balanced groups.
 * Pure and deterministic under a seed.
 */
import type { Ratings } from '../datasets/dataset.ts';
import { Random } from '../util/random.ts';

/** Unit-length sparse movie vectors over users, one row per movie (CSR). */
export interface MovieVectors {
  /** Dense item index (into `ratings.itemIds`) of each row. */
  readonly items: Int32Array;
  readonly rowStart: Int32Array;
  readonly users: Int32Array;
  readonly values: Float32Array;
  /** Number of users (the length of a dense vector). */
  readonly dimensions: number;
}

/**
 * The vectors of the given items. A rating weighs 1 + (rating − the user's mean)/2 (never below
 * 0), over √(the user's number of ratings among these items), so heavy raters do not dominate.
 */
export function movieVectors(ratings: Ratings, items: ArrayLike<number>): MovieVectors {
  const rowOf = new Int32Array(ratings.itemIds.size).fill(-1);
  for (let row = 0; row < items.length; row++) rowOf[items[row]] = row;
  const users = ratings.userIds.size;
  const userCount = new Int32Array(users);
  const userSum = new Float64Array(users);
  const rowStart = new Int32Array(items.length + 1);
  for (let r = 0; r < ratings.length; r++) {
    const row = rowOf[ratings.itemIndex[r]];
    if (row < 0) continue;
    userCount[ratings.userIndex[r]]++;
    userSum[ratings.userIndex[r]] += ratings.rating[r];
    rowStart[row + 1]++;
  }
  for (let row = 0; row < items.length; row++) rowStart[row + 1] += rowStart[row];
  const fill = rowStart.slice(0, items.length);
  const userColumn = new Int32Array(rowStart[items.length]);
  const values = new Float32Array(rowStart[items.length]);
  for (let r = 0; r < ratings.length; r++) {
    const row = rowOf[ratings.itemIndex[r]];
    if (row < 0) continue;
    const u = ratings.userIndex[r];
    const liked = 1 + (ratings.rating[r] - userSum[u] / userCount[u]) / 2;
    userColumn[fill[row]] = u;
    values[fill[row]++] = Math.max(0, liked) / Math.sqrt(userCount[u]);
  }
  for (let row = 0; row < items.length; row++) {
    let norm = 0;
    for (let k = rowStart[row]; k < rowStart[row + 1]; k++) norm += values[k] * values[k];
    norm = Math.sqrt(norm);
    if (norm > 0) for (let k = rowStart[row]; k < rowStart[row + 1]; k++) values[k] /= norm;
  }
  return {
    items: Int32Array.from(items),
    rowStart,
    users: userColumn,
    values,
    dimensions: users,
  };
}

/** Dot product of a row with a dense vector stored at `offset` of `dense`. */
export function rowDot(
  vectors: MovieVectors,
  row: number,
  dense: Float64Array,
  offset = 0,
): number {
  let sum = 0;
  for (let k = vectors.rowStart[row]; k < vectors.rowStart[row + 1]; k++)
    sum += vectors.values[k] * dense[offset + vectors.users[k]];
  return sum;
}

/** The unit-length mean direction of some rows (a dense vector over users). */
export function centroidOf(vectors: MovieVectors, rows: Iterable<number>): Float64Array {
  const centroid = new Float64Array(vectors.dimensions);
  for (const row of rows)
    for (let k = vectors.rowStart[row]; k < vectors.rowStart[row + 1]; k++)
      centroid[vectors.users[k]] += vectors.values[k];
  normalise(centroid, 0, vectors.dimensions);
  return centroid;
}

function normalise(dense: Float64Array, offset: number, length: number): void {
  let norm = 0;
  for (let d = offset; d < offset + length; d++) norm += dense[d] * dense[d];
  norm = Math.sqrt(norm);
  if (norm > 0) for (let d = offset; d < offset + length; d++) dense[d] /= norm;
}

export interface GroupingOptions {
  groups: number;
  seed: number;
  iterations?: number;
  /** A group holds at most this many times the mean group size (default 1.5). */
  capacity?: number;
}

/**
 * Spherical k-means over the rows: `assignment[row]` is the row's group (0..groups-1). Seeds by
 * k-means++ on cosine distance; each round assigns the most confident rows first, each to its
 * most similar group that still has room, so no group swallows the popular mainstream.
 */
export function groupMovies(vectors: MovieVectors, options: GroupingOptions): Int32Array {
  const n = vectors.items.length;
  const k = Math.min(options.groups, n);
  const dims = vectors.dimensions;
  const random = new Random(options.seed);
  const centroids = new Float64Array(k * dims);
  const setCentroid = (group: number, rows: Iterable<number>) =>
    centroids.set(centroidOf(vectors, rows), group * dims);

  // k-means++: each next seed drawn with probability ∝ its distance to the nearest seed.
  const nearest = new Float64Array(n).fill(Infinity);
  let seed = random.int(n);
  for (let group = 0; group < k; group++) {
    setCentroid(group, [seed]);
    let total = 0;
    for (let row = 0; row < n; row++) {
      const distance = 1 - rowDot(vectors, row, centroids, group * dims);
      nearest[row] = Math.min(nearest[row], Math.max(0, distance));
      total += nearest[row];
    }
    let target = random.next() * total;
    seed = 0;
    for (let row = 0; row < n; row++) {
      target -= nearest[row];
      if (target <= 0 && nearest[row] > 0) {
        seed = row;
        break;
      }
    }
  }

  const capacity = Math.ceil(((options.capacity ?? 1.5) * n) / k);
  const assignment = new Int32Array(n).fill(-1);
  const similarity = new Float64Array(n * k);
  for (let round = 0; round < (options.iterations ?? 30); round++) {
    for (let row = 0; row < n; row++)
      for (let group = 0; group < k; group++)
        similarity[row * k + group] = rowDot(vectors, row, centroids, group * dims);
    const best = (row: number) => {
      let max = -Infinity;
      for (let group = 0; group < k; group++) max = Math.max(max, similarity[row * k + group]);
      return max;
    };
    const bestOf = Float64Array.from({ length: n }, (_, row) => best(row));
    const order = Array.from({ length: n }, (_, row) => row).sort(
      (a, b) => bestOf[b] - bestOf[a] || a - b,
    );
    const sizes = new Int32Array(k);
    let changed = false;
    for (const row of order) {
      let chosen = -1;
      for (let group = 0; group < k; group++) {
        if (sizes[group] >= capacity) continue;
        if (chosen < 0 || similarity[row * k + group] > similarity[row * k + chosen])
          chosen = group;
      }
      sizes[chosen]++;
      if (assignment[row] !== chosen) changed = true;
      assignment[row] = chosen;
    }
    const members: number[][] = Array.from({ length: k }, () => []);
    for (let row = 0; row < n; row++) members[assignment[row]].push(row);
    for (let group = 0; group < k; group++) {
      // An empty group takes the row least like its own group.
      if (members[group].length === 0) {
        const loneliest = order[order.length - 1 - group];
        members[assignment[loneliest]] = members[assignment[loneliest]].filter(
          (row) => row !== loneliest,
        );
        assignment[loneliest] = group;
        members[group].push(loneliest);
        changed = true;
      }
    }
    for (let group = 0; group < k; group++) setCentroid(group, members[group]);
    if (!changed) break;
  }
  return assignment;
}
