/**
 * Top-N selection by min-heaps of the best so far: the n best scores of one array (topN), and
 * the best few of every row when the scores arrive in any order (BestPerRow).
 */

/** Whether (score a, index a) ranks below (score b, index b): lower score, or equal and later. */
function ranksBelow(scoreA: number, itemA: number, scoreB: number, itemB: number): boolean {
  return scoreA < scoreB || (scoreA === scoreB && itemA > itemB);
}

/**
 * Indexes of the n largest finite scores, largest first (ties: lower index first). Only the
 * `candidates` are considered when given. Runs in O(items · log n); a min-heap of the best so
 * far keeps each one's score beside it, so most items are turned away by one comparison.
 */
export function topN(
  scores: ArrayLike<number>,
  n: number,
  candidates?: ArrayLike<number>,
): Int32Array {
  const size = candidates ? candidates.length : scores.length;
  const capacity = Math.max(0, Math.min(n, size));
  const heapItems = new Int32Array(capacity);
  const heapScores = new Float64Array(capacity);
  let count = 0;
  for (let k = 0; k < size && capacity > 0; k++) {
    const item = candidates ? candidates[k] : k;
    const score = scores[item];
    if (!(score > -Infinity)) continue;
    count = offer(heapItems, heapScores, 0, count, capacity, item, score);
  }
  const result = new Int32Array(count);
  drain(heapItems, heapScores, 0, count, result, null);
  return result;
}

/**
 * The `capacity` best (score, index) pairs of each of `rows` rows, offered one at a time in any
 * order: one min-heap per row in flat arrays (rows × capacity entries, nothing per pair).
 */
export class BestPerRow {
  private readonly items: Int32Array;
  private readonly scores: Float64Array;
  private readonly counts: Int32Array;

  constructor(
    rows: number,
    readonly capacity: number,
  ) {
    this.items = new Int32Array(rows * capacity);
    this.scores = new Float64Array(rows * capacity);
    this.counts = new Int32Array(rows);
  }

  offer(row: number, item: number, score: number): void {
    const { capacity } = this;
    this.counts[row] = offer(
      this.items,
      this.scores,
      row * capacity,
      this.counts[row],
      capacity,
      item,
      score,
    );
  }

  /** The score a newcomer must beat to enter the row: its lowest when full, else −∞. */
  lowest(row: number): number {
    const { capacity } = this;
    if (this.counts[row] < capacity) return -Infinity;
    return capacity > 0 ? this.scores[row * capacity] : Infinity;
  }

  /** The row's best, best first (ties: lower index first), with their scores; empties the row. */
  take(row: number): { index: Int32Array; score: Float64Array } {
    const count = this.counts[row];
    const index = new Int32Array(count);
    const score = new Float64Array(count);
    drain(this.items, this.scores, row * this.capacity, count, index, score);
    this.counts[row] = 0;
    return { index, score };
  }
}

/**
 * Offers (item, score) to the min-heap of `count` of at most `capacity` entries at `base`;
 * returns the new count.
 */
function offer(
  items: Int32Array,
  scores: Float64Array,
  base: number,
  count: number,
  capacity: number,
  item: number,
  score: number,
): number {
  if (count < capacity) return heapPush(items, scores, base, count, item, score);
  if (capacity > 0 && ranksBelow(scores[base], items[base], score, item)) {
    items[base] = item;
    scores[base] = score;
    heapSiftDown(items, scores, base, count);
  }
  return count;
}

/** Empties the heap into outItems (and outScores), best first: popping the root fills from the end. */
function drain(
  items: Int32Array,
  scores: Float64Array,
  base: number,
  count: number,
  outItems: Int32Array,
  outScores: Float64Array | null,
): void {
  for (let last = count - 1; last >= 0; last--) {
    outItems[last] = items[base];
    if (outScores) outScores[last] = scores[base];
    items[base] = items[base + last];
    scores[base] = scores[base + last];
    heapSiftDown(items, scores, base, last);
  }
}

/** Adds (item, score) to the min-heap of `count` entries at `base`; returns the new count. */
function heapPush(
  items: Int32Array,
  scores: Float64Array,
  base: number,
  count: number,
  item: number,
  score: number,
): number {
  let c = count;
  while (c > 0) {
    const parent = (c - 1) >> 1;
    if (!ranksBelow(score, item, scores[base + parent], items[base + parent])) break;
    items[base + c] = items[base + parent];
    scores[base + c] = scores[base + parent];
    c = parent;
  }
  items[base + c] = item;
  scores[base + c] = score;
  return count + 1;
}

/** Restores the min-heap order of the `count` entries at `base` after the root changed. */
function heapSiftDown(items: Int32Array, scores: Float64Array, base: number, count: number): void {
  const item = items[base];
  const score = scores[base];
  let c = 0;
  for (;;) {
    const left = 2 * c + 1;
    if (left >= count) break;
    const right = left + 1;
    const child =
      right < count &&
      ranksBelow(scores[base + right], items[base + right], scores[base + left], items[base + left])
        ? right
        : left;
    if (!ranksBelow(scores[base + child], items[base + child], score, item)) break;
    items[base + c] = items[base + child];
    scores[base + c] = scores[base + child];
    c = child;
  }
  items[base + c] = item;
  scores[base + c] = score;
}
