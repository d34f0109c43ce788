/**
 * Top-N selection: the indexes of the n best scores, by a min-heap of the best so far.
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
    if (count < capacity) {
      count = heapPush(heapItems, heapScores, count, item, score);
    } else if (ranksBelow(heapScores[0], heapItems[0], score, item)) {
      heapItems[0] = item;
      heapScores[0] = score;
      heapSiftDown(heapItems, heapScores, count);
    }
  }
  // Popping the root (the lowest ranked) fills the result from its end.
  const result = new Int32Array(count);
  for (let last = count - 1; last >= 0; last--) {
    result[last] = heapItems[0];
    heapItems[0] = heapItems[last];
    heapScores[0] = heapScores[last];
    heapSiftDown(heapItems, heapScores, last);
  }
  return result;
}

/** Adds (item, score) to a min-heap of `count` entries; returns the new count. */
function heapPush(
  items: Int32Array,
  scores: Float64Array,
  count: number,
  item: number,
  score: number,
): number {
  let c = count;
  while (c > 0) {
    const parent = (c - 1) >> 1;
    if (!ranksBelow(score, item, scores[parent], items[parent])) break;
    items[c] = items[parent];
    scores[c] = scores[parent];
    c = parent;
  }
  items[c] = item;
  scores[c] = score;
  return count + 1;
}

/** Restores the min-heap order of `count` entries after the root changed. */
function heapSiftDown(items: Int32Array, scores: Float64Array, count: number): void {
  const item = items[0];
  const score = scores[0];
  let c = 0;
  for (;;) {
    const left = 2 * c + 1;
    if (left >= count) break;
    const right = left + 1;
    const child =
      right < count && ranksBelow(scores[right], items[right], scores[left], items[left])
        ? right
        : left;
    if (!ranksBelow(scores[child], items[child], score, item)) break;
    items[c] = items[child];
    scores[c] = scores[child];
    c = child;
  }
  items[c] = item;
  scores[c] = score;
}
