/**
 * The evaluation protocols of BENCHMARKS.md as pure functions from ratings to train/test folds.
 * Every fold keeps the full index maps of the input, so test users and items keep their indexes
 * (a test user or item without training ratings is "unknown" to the model and gets the baseline).
 *
 *   kfold5       shuffle all ratings (seed 0), 5 equal folds, train on 4, test on 1
 *   split90      one random 90/10 split (seed 1234)
 *   ml100k-uN    the official ML-100K split uN.base/uN.test (read by the caller, see the CLI)
 *   holdout20    per user with ≥ 5 ratings: shuffle the user's ratings (seed 42), hold out
 *                round(20%), at least 1 (top-N)
 *   temporal-lastN  per user with ≥ N + 5 ratings: hold out the N most recent (ties: later rows)
 *   givenN       new members (Breese et al. 1998's "Given N"): 20% of the users with ≥ N + 5
 *                ratings (seed 42) keep N random ratings for training, the rest is held out;
 *                every other user trains on all of theirs (top-N)
 */
import { selectRatings, type Ratings } from '../../datasets/dataset.ts';
import { Random, shuffledIndices } from '../../util/random.ts';

export interface Fold {
  name: string;
  train: Ratings;
  test: Ratings;
}

/** What a protocol measures: rating error (RMSE, MAE), ranking quality, or both. */
export type ProtocolKind = 'rating' | 'ranking' | 'both';

export interface ProtocolInfo {
  name: string;
  kind: ProtocolKind;
  defaultSeed: number;
  description: string;
}

/** Protocol names accepted by `lenslab evaluate` (temporal-lastN takes any N ≥ 1). */
export const PROTOCOLS: readonly ProtocolInfo[] = [
  {
    name: 'kfold5',
    kind: 'rating',
    defaultSeed: 0,
    description: '5-fold cross-validation over all ratings',
  },
  { name: 'split90', kind: 'rating', defaultSeed: 1234, description: 'one random 90/10 split' },
  ...[1, 2, 3, 4, 5].map((n) => ({
    name: `ml100k-u${n}`,
    kind: 'rating' as const,
    defaultSeed: 0,
    description: `official ML-100K split u${n}.base / u${n}.test`,
  })),
  {
    name: 'holdout20',
    kind: 'ranking',
    defaultSeed: 42,
    description: '20% of each user’s ratings held out, top-N',
  },
  {
    name: 'temporal-last5',
    kind: 'both',
    defaultSeed: 0,
    description: 'each user’s 5 most recent ratings held out',
  },
];

/** The protocol of a name (including any temporal-lastN or givenN), or undefined. */
export function protocolInfo(name: string): ProtocolInfo | undefined {
  const known = PROTOCOLS.find((p) => p.name === name);
  if (known) return known;
  const temporal = /^temporal-last([1-9]\d*)$/.exec(name);
  if (temporal) {
    return {
      name,
      kind: 'both',
      defaultSeed: 0,
      description: `each user’s ${temporal[1]} most recent ratings held out`,
    };
  }
  const given = /^given([1-9]\d*)$/.exec(name);
  if (given) {
    return {
      name,
      kind: 'ranking',
      defaultSeed: 42,
      description: `20% of users keep ${given[1]} ratings for training (new members), top-N`,
    };
  }
  return undefined;
}

/** Shuffles all ratings and cuts them into `folds` folds of (almost) equal size. */
export function kFold(ratings: Ratings, folds = 5, seed = 0): Fold[] {
  const order = shuffledIndices(ratings.length, new Random(seed));
  const result: Fold[] = [];
  for (let f = 0; f < folds; f++) {
    const from = Math.floor((f * ratings.length) / folds);
    const to = Math.floor(((f + 1) * ratings.length) / folds);
    const train = new Int32Array(ratings.length - (to - from));
    train.set(order.subarray(0, from));
    train.set(order.subarray(to), from);
    result.push({
      name: `fold${f + 1}`,
      train: selectRatings(ratings, train),
      test: selectRatings(ratings, order.subarray(from, to)),
    });
  }
  return result;
}

/** One random split: `testShare` of the ratings (rounded down) for test. */
export function randomSplit(ratings: Ratings, testShare = 0.1, seed = 1234, name = 'split'): Fold {
  const order = shuffledIndices(ratings.length, new Random(seed));
  const testCount = Math.floor(ratings.length * testShare);
  return {
    name,
    train: selectRatings(ratings, order.subarray(testCount)),
    test: selectRatings(ratings, order.subarray(0, testCount)),
  };
}

/** Rows of each user, users in index order, rows in input order. */
function rowsByUser(ratings: Ratings): { ptr: Int32Array; rows: Int32Array } {
  const users = ratings.userIds.size;
  const ptr = new Int32Array(users + 1);
  for (let r = 0; r < ratings.length; r++) ptr[ratings.userIndex[r] + 1]++;
  for (let u = 0; u < users; u++) ptr[u + 1] += ptr[u];
  const cursor = ptr.slice(0, users);
  const rows = new Int32Array(ratings.length);
  for (let r = 0; r < ratings.length; r++) rows[cursor[ratings.userIndex[r]]++] = r;
  return { ptr, rows };
}

/**
 * holdout20: for each user with ≥ minRatings ratings, shuffle the user's ratings (one generator
 * seeded once, users in index order) and hold out round(share · n), at least 1.
 */
export function perUserHoldout(ratings: Ratings, share = 0.2, seed = 42, minRatings = 5): Fold {
  const { ptr, rows } = rowsByUser(ratings);
  const random = new Random(seed);
  const train: number[] = [];
  const test: number[] = [];
  for (let u = 0; u + 1 < ptr.length; u++) {
    const userRows = rows.slice(ptr[u], ptr[u + 1]);
    if (userRows.length < minRatings) {
      for (const r of userRows) train.push(r);
      continue;
    }
    random.shuffle(userRows);
    const held = Math.max(1, Math.round(share * userRows.length));
    for (let k = 0; k < userRows.length; k++) (k < held ? test : train).push(userRows[k]);
  }
  return foldOfRows('holdout', ratings, train, test);
}

/**
 * givenN: a `share` of the users with ≥ n + minTest ratings (drawn with `seed`) keep n random
 * ratings for training and hold out the rest; every other user keeps all ratings for training.
 */
export function givenN(ratings: Ratings, n = 15, seed = 42, share = 0.2, minTest = 5): Fold {
  const { ptr, rows } = rowsByUser(ratings);
  // Who is a new member and which ratings they keep: two streams, so one does not skew the other.
  const members = new Random(seed);
  const random = new Random(seed + 1);
  const train: number[] = [];
  const test: number[] = [];
  for (let u = 0; u + 1 < ptr.length; u++) {
    const userRows = rows.slice(ptr[u], ptr[u + 1]);
    if (userRows.length < n + minTest || members.next() >= share) {
      for (const r of userRows) train.push(r);
      continue;
    }
    random.shuffle(userRows);
    for (let k = 0; k < userRows.length; k++) (k < n ? train : test).push(userRows[k]);
  }
  return foldOfRows(`given${n}`, ratings, train, test);
}

/** A fold of the given training and test row numbers, each in data order. */
function foldOfRows(name: string, ratings: Ratings, train: number[], test: number[]): Fold {
  const inDataOrder = (a: number, b: number): number => a - b;
  return {
    name,
    train: selectRatings(ratings, train.sort(inDataOrder)),
    test: selectRatings(ratings, test.sort(inDataOrder)),
  };
}

/** temporal-lastN: each user with ≥ n + minTrain ratings keeps the n most recent for test. */
export function temporalLastN(ratings: Ratings, n = 5, minTrain = 5): Fold {
  const { ptr, rows } = rowsByUser(ratings);
  const train: number[] = [];
  const test: number[] = [];
  for (let u = 0; u + 1 < ptr.length; u++) {
    const userRows = Array.from(rows.subarray(ptr[u], ptr[u + 1]));
    if (userRows.length < n + minTrain) {
      train.push(...userRows);
      continue;
    }
    userRows.sort((a, b) => ratings.timestamp[a] - ratings.timestamp[b] || a - b);
    const cut = userRows.length - n;
    for (let k = 0; k < userRows.length; k++) (k < cut ? train : test).push(userRows[k]);
  }
  return foldOfRows(`last${n}`, ratings, train, test);
}

/**
 * The folds of a protocol computed from all ratings. ml100k-uN splits come from files, so the
 * caller reads them (readMl100kSplit) and this throws for them.
 */
export function protocolFolds(name: string, ratings: Ratings, seed?: number): Fold[] {
  const info = protocolInfo(name);
  if (!info) throw new Error(`unknown protocol "${name}"`);
  const s = seed ?? info.defaultSeed;
  if (name === 'kfold5') return kFold(ratings, 5, s);
  if (name === 'split90') return [randomSplit(ratings, 0.1, s, 'split90')];
  if (name === 'holdout20') return [{ ...perUserHoldout(ratings, 0.2, s), name: 'holdout20' }];
  const temporal = /^temporal-last(\d+)$/.exec(name);
  if (temporal) return [temporalLastN(ratings, Number(temporal[1]))];
  const given = /^given(\d+)$/.exec(name);
  if (given) return [givenN(ratings, Number(given[1]), s)];
  throw new Error(`protocol "${name}" needs its split files (read them with readMl100kSplit)`);
}
