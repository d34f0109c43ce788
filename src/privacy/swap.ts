/**
 * Data swapping within groups of similar members, as statistical agencies swap census records:
 * - the ratings of the less popular movies (rated by fewer than `popularRaters` members) of a
 *   group are pooled and dealt back at random, each member getting as many as it gave, never a
 *   movie twice; each dealt rating keeps its movie and value and takes one of its new member's
 *   own dates, so every member's activity over time stays its own;
 * - with `shufflePopular`, the values of the popular movies' ratings move among the group
 *   members who rated each one (who rated what stays, the values move): by plausibility, or
 *   uniformly, either each movie's values shuffled on their own or, as census record swapping
 *   moves a block of variables between matched records, along one random cycle of the group's
 *   members, so that a member's popular values mostly travel together to one neighbour.
 * Every movie keeps its raters' count and its multiset of values exactly (a rating that cannot
 * be dealt without giving someone a movie twice is dropped, and counted), while a record stops
 * matching its member on the rare movies the Narayanan–Shmatikov attack weighs most.
 */
import type { Ratings } from '../datasets/dataset.ts';
import type { Random } from '../util/random.ts';
import { groupRows } from './columns.ts';
import { similarMemberGroups, type PlausibilityModel } from './memberGroups.ts';

export type PopularMove = 'cycle' | 'shuffle';

export interface SwapOptions {
  /** Movies rated by at least this many members are popular: their raters stay. */
  popularRaters: number;
  shufflePopular: boolean;
  /**
   * Plausible deals: a pooled rating goes to a candidate member with weight exp(−(p − r)² / 2σ²), p the
   * member's predicted rating of the movie and r the rating's value, so that a record stays
   * consistent with its member's taste; σ = 0 deals uniformly at random.
   */
  sigma: number;
  /** The same for the popular movies' values (0: uniformly, as `popularMove` says). */
  popularSigma: number;
  /**
   * How popular values move uniformly (popularSigma 0): `cycle`, the group's members in a random
   * cycle, each rater of a movie takes the value of the next rater of it along the cycle (a
   * member's values mostly go together to one neighbour, so its record no longer holds them
   * while each record stays one coherent taste); `shuffle`, each movie's values shuffled on
   * their own.
   */
  popularMove: PopularMove;
  predict: (user: number, item: number) => number;
}

/** The rows being released: movie (dense item index), member, value and time of each. */
export interface SwapRows {
  item: Int32Array;
  /** Member (dense user index) of each row; rewritten. */
  user: Int32Array;
  rating: Float32Array;
  timestamp: Uint32Array;
}

export interface SwapResult {
  /** 1 for each row kept (0: a pooled rating no group member could take). */
  keep: Uint8Array;
  /** Ratings dealt to another member than their own, and ratings dropped. */
  moved: number;
  dropped: number;
}

/** Group members beyond this would not fit the per-movie bit masks. */
export const MAX_GROUP = 31;

function shuffle(values: Int32Array | Uint32Array, begin: number, end: number, random: Random) {
  for (let k = end - 1; k > begin; k--) {
    const j = begin + random.int(k - begin + 1);
    const swap = values[k];
    values[k] = values[j];
    values[j] = swap;
  }
}

/** Scratch weights of the candidates of one choice. */
let weights = new Float64Array(64);

/**
 * One of `n` candidates passing `open`, drawn uniformly (σ = 0) or by plausibility (see
 * SwapOptions.sigma, `predicted(c)` the candidate's predicted rating); -1 when none is open.
 */
function choose(
  n: number,
  open: (c: number) => boolean,
  predicted: (c: number) => number,
  rating: number,
  sigma: number,
  random: Random,
): number {
  if (weights.length < n) weights = new Float64Array(n);
  let total = 0;
  for (let c = 0; c < n; c++) {
    let weight = 0;
    if (open(c)) {
      const gap = sigma > 0 ? predicted(c) - rating : 0;
      weight = sigma > 0 ? Math.exp(-(gap * gap) / (2 * sigma ** 2)) + 1e-12 : 1;
    }
    weights[c] = weight;
    total += weight;
  }
  if (total === 0) return -1;
  let draw = random.next() * total;
  for (let c = 0; c < n; c++) {
    if (weights[c] === 0) continue;
    draw -= weights[c];
    if (draw < 0) return c;
  }
  for (let c = n - 1; c >= 0; c--) if (weights[c] > 0) return c;
  return -1;
}

/**
 * Deals the values of one popular movie's rows back to its raters: uniformly (σ = 0: a
 * shuffle), or by plausibility with SwapOptions.popularSigma.
 */
function shuffleValues(run: Int32Array, rows: SwapRows, options: SwapOptions, random: Random) {
  const item = rows.item[run[0]];
  const values = Float32Array.from(run, (k) => rows.rating[k]);
  const taken = new Uint8Array(run.length);
  const order = Int32Array.from(run.keys());
  shuffle(order, 0, order.length, random);
  // Each rater's predicted rating, asked once (every value weighs every rater).
  const predicted =
    options.popularSigma > 0
      ? Float64Array.from(run, (k) => options.predict(rows.user[k], item))
      : null;
  for (const v of order) {
    const slot = choose(
      run.length,
      (c) => taken[c] === 0,
      (c) => predicted![c],
      values[v],
      options.popularSigma,
      random,
    );
    taken[slot] = 1;
    rows.rating[run[slot]] = values[v];
  }
}

/** Each row of one popular movie's run takes the value of the next row (the last, the first's). */
function rotateValues(run: Int32Array, rows: SwapRows) {
  const first = rows.rating[run[0]];
  for (let q = 0; q + 1 < run.length; q++) rows.rating[run[q]] = rows.rating[run[q + 1]];
  rows.rating[run[run.length - 1]] = first;
}

export function swapWithinGroups(
  rows: SwapRows,
  items: number,
  groupOf: Int32Array,
  groups: number,
  options: SwapOptions,
  random: Random,
): SwapResult {
  const n = rows.item.length;
  const raters = new Int32Array(items);
  for (let k = 0; k < n; k++) raters[rows.item[k]]++;
  const rowGroup = new Int32Array(n);
  for (let k = 0; k < n; k++) rowGroup[k] = groupOf[rows.user[k]];
  const byGroup = groupRows(rowGroup, groups);
  // Members outside every group (-1: not released) go to an extra bucket, never visited.
  const membersOf = groupRows(
    Int32Array.from(groupOf, (g) => (g < 0 ? groups : g)),
    groups + 1,
  );

  const keep = new Uint8Array(n).fill(1);
  const held = new Int32Array(items); // bit s: group member s holds the movie
  const slotOf = new Int32Array(groupOf.length);
  let moved = 0;
  let dropped = 0;
  for (let g = 0; g < groups; g++) {
    const mBegin = membersOf.start[g];
    const size = membersOf.start[g + 1] - mBegin;
    if (size > MAX_GROUP)
      throw new Error(`swap: a group of ${size} members (at most ${MAX_GROUP})`);
    for (let s = 0; s < size; s++) slotOf[membersOf.order[mBegin + s]] = s;
    const begin = byGroup.start[g];
    const end = byGroup.start[g + 1];

    // Split the group's rows into pooled (rare movies) and popular ones; each member's dates of
    // its pooled ratings go with the member.
    const pooled: number[] = [];
    const popular: number[] = [];
    const capacity = new Int32Array(size);
    for (let p = begin; p < end; p++) {
      const k = byGroup.order[p];
      if (raters[rows.item[k]] >= options.popularRaters) popular.push(k);
      else {
        pooled.push(k);
        capacity[slotOf[rows.user[k]]]++;
      }
    }
    const dateStart = new Int32Array(size + 1);
    for (let s = 0; s < size; s++) dateStart[s + 1] = dateStart[s] + capacity[s];
    const dates = new Uint32Array(pooled.length);
    const cursor = dateStart.slice(0, size);
    for (const k of pooled) dates[cursor[slotOf[rows.user[k]]]++] = rows.timestamp[k];
    for (let s = 0; s < size; s++) shuffle(dates, dateStart[s], dateStart[s + 1], random);
    cursor.set(dateStart.subarray(0, size));

    // Deal the pool: each rating to a member with room left who does not hold its movie yet.
    const order = Int32Array.from(pooled);
    shuffle(order, 0, order.length, random);
    const originalUser = new Int32Array(order.length);
    for (let d = 0; d < order.length; d++) originalUser[d] = rows.user[order[d]];
    for (let d = 0; d < order.length; d++) {
      const k = order[d];
      const item = rows.item[k];
      const slot = choose(
        size,
        (s) => capacity[s] > 0 && (held[item] & (1 << s)) === 0,
        (s) => options.predict(membersOf.order[mBegin + s], item),
        rows.rating[k],
        options.sigma,
        random,
      );
      if (slot < 0) {
        keep[k] = 0;
        dropped++;
        continue;
      }
      capacity[slot]--;
      held[item] |= 1 << slot;
      const member = membersOf.order[mBegin + slot];
      if (member !== originalUser[d]) moved++;
      rows.user[k] = member;
      rows.timestamp[k] = dates[cursor[slot]++];
    }
    for (const k of pooled) held[rows.item[k]] = 0;

    // Move the popular movies' values among the group's raters of each.
    if (options.shufflePopular && popular.length > 1) {
      // Along a cycle: each movie's raters in the order of their places on it.
      const cycle = options.popularSigma === 0 && options.popularMove === 'cycle';
      let place: Int32Array | null = null;
      if (cycle) {
        const order = Int32Array.from({ length: size }, (_, s) => s);
        shuffle(order, 0, size, random);
        place = new Int32Array(size);
        for (let q = 0; q < size; q++) place[order[q]] = q;
      }
      const placeOf = (k: number) => (place ? place[slotOf[rows.user[k]]] : 0);
      const sorted = Int32Array.from(popular).sort(
        (a, b) => rows.item[a] - rows.item[b] || placeOf(a) - placeOf(b) || a - b,
      );
      let run = 0;
      for (let p = 1; p <= sorted.length; p++) {
        if (p < sorted.length && rows.item[sorted[p]] === rows.item[sorted[run]]) continue;
        if (cycle) rotateValues(sorted.subarray(run, p), rows);
        else shuffleValues(sorted.subarray(run, p), rows, options, random);
        run = p;
      }
    }
  }
  return { keep, moved, dropped };
}

export interface SwappedRatings {
  /**
   * The released rows after swapping, as Ratings over the source's user and item indexes (a
   * member's ratings are those dealt to it), so that every later transform runs on it unchanged.
   */
  ratings: Ratings;
  /** The source row each of its rows came from. */
  sourceRow: Int32Array;
  /** The popular share applied (the calibration's step, or the policy's). */
  popularShare: number;
  groups: number;
  moved: number;
  dropped: number;
}

/** Groups of similar members over the source's user and item indexes (see memberGroups.ts). */
export interface SourceGroups {
  groupOf: Int32Array;
  groups: number;
  members: number;
  predict: (user: number, item: number) => number;
}

/**
 * Groups the members whose ratings `members` holds (the untransformed ratings: own ids, compact
 * indexes), mapped onto the source's indexes.
 */
export function sourceGroups(
  source: Ratings,
  members: Ratings,
  groupSize: number,
  seed: number,
  plausibility: PlausibilityModel = 'als',
): SourceGroups {
  const grouping = similarMemberGroups(members, groupSize, seed, plausibility);
  const groupOf = new Int32Array(source.userIds.size).fill(-1);
  const memberOf = new Int32Array(source.userIds.size).fill(-1);
  for (let u = 0; u < members.userIds.size; u++) {
    const s = source.userIds.indexOf(members.userIds.ids[u]);
    groupOf[s] = grouping.groupOf[u];
    memberOf[s] = u;
  }
  const itemOf = Int32Array.from(source.itemIds.ids, (id) => members.itemIds.indexOf(id));
  return {
    groupOf,
    groups: grouping.groups,
    members: members.userIds.size,
    predict: (user, item) => grouping.predict(memberOf[user], itemOf[item]),
  };
}

/** Swaps the source rows `rows` (eligible members' ratings) within the given groups. */
export function swapRatings(
  source: Ratings,
  rows: Int32Array,
  groups: SourceGroups,
  options: {
    popularShare: number;
    shufflePopular: boolean;
    sigma: number;
    popularSigma: number;
    popularMove: PopularMove;
  },
  random: Random,
): SwappedRatings {
  const n = rows.length;
  const swapRows: SwapRows = {
    item: new Int32Array(n),
    user: new Int32Array(n),
    rating: new Float32Array(n),
    timestamp: new Uint32Array(n),
  };
  for (let k = 0; k < n; k++) {
    const r = rows[k];
    swapRows.item[k] = source.itemIndex[r];
    swapRows.user[k] = source.userIndex[r];
    swapRows.rating[k] = source.rating[r];
    swapRows.timestamp[k] = source.timestamp[r];
  }
  const result = swapWithinGroups(
    swapRows,
    source.itemIds.size,
    groups.groupOf,
    groups.groups,
    {
      popularRaters: Math.max(1, Math.ceil(options.popularShare * groups.members)),
      shufflePopular: options.shufflePopular,
      sigma: options.sigma,
      popularSigma: options.popularSigma,
      popularMove: options.popularMove,
      predict: groups.predict,
    },
    random,
  );
  const kept = n - result.dropped;
  const ratings: Ratings = {
    length: kept,
    userIndex: new Int32Array(kept),
    itemIndex: new Int32Array(kept),
    rating: new Float32Array(kept),
    timestamp: new Uint32Array(kept),
    userIds: source.userIds,
    itemIds: source.itemIds,
  };
  const sourceRow = new Int32Array(kept);
  let next = 0;
  for (let k = 0; k < n; k++) {
    if (!result.keep[k]) continue;
    ratings.userIndex[next] = swapRows.user[k];
    ratings.itemIndex[next] = swapRows.item[k];
    ratings.rating[next] = swapRows.rating[k];
    ratings.timestamp[next] = swapRows.timestamp[k];
    sourceRow[next++] = rows[k];
  }
  return {
    ratings,
    sourceRow,
    popularShare: options.popularShare,
    groups: groups.groups,
    moved: result.moved,
    dropped: result.dropped,
  };
}

/**
 * The movies a swap leaves most intact, as an adversary who knows the policy finds them in the
 * release: those rated by at least `popularShare` of its members (their raters were not moved).
 */
export function popularMovies(release: Ratings, popularShare: number): Set<number> {
  const raters = new Int32Array(release.itemIds.size);
  for (let k = 0; k < release.length; k++) raters[release.itemIndex[k]]++;
  const threshold = Math.max(1, Math.ceil(popularShare * release.userIds.size));
  const popular = new Set<number>();
  for (let i = 0; i < raters.length; i++)
    if (raters[i] >= threshold) popular.add(release.itemIds.ids[i]);
  return popular;
}
