/**
 * Groups of similar members for the swap transform (swap.ts): every member gets a taste vector
 * (the user factors of a small explicit ALS fit, with its bias and activity beside them), and
 * the members are split recursively at the median of the widest coordinate, as a k-d tree is,
 * until each leaf holds `size` members (the last one of a split up to 2·size − 1). Members in
 * one leaf rated alike, so moving ratings among them keeps much of what each record says.
 * The swap's plausible deals weigh each candidate by a taste model's predicted rating: the same
 * ALS fit, or item-kNN (`plausibility`), whose records then keep the item-to-item agreement that
 * item-kNN relies on; a policy with alternatives takes the one that predicts the members best
 * (heldOutTasteFit; README: Benchmark, "The swap's taste model").
 */
import type { RatingScale, Ratings } from '../datasets/dataset.ts';
import type { FactorModel } from '../recsys/algorithms/factors.ts';
import type { Params } from '../recsys/modelTypes.ts';
import { evaluateRatings } from '../recsys/eval/evaluate.ts';
import { perUserHoldout } from '../recsys/eval/protocols.ts';
import { RatingMatrix } from '../recsys/matrix.ts';
import { fitAlgorithm } from '../recsys/registry.ts';
import type { BaseModel } from '../recsys/model.ts';

const FACTORS = 12;
/** The k-d splits stop at ranges of fewer than this many groups, grouped nearest-first. */
const LEAF_GROUPS = 16;

function squaredDistance(values: Float64Array, dims: number, a: number, b: number): number {
  let sum = 0;
  for (let d = 0; d < dims; d++) sum += (values[a * dims + d] - values[b * dims + d]) ** 2;
  return sum;
}

/**
 * Groups the members of one leaf: the member farthest from the leaf's centre (the hardest to
 * place) with its size − 1 nearest members still free, until fewer than 2·size are left, who
 * form the last group. Returns the next group number.
 */
function groupLeaf(
  leaf: Int32Array,
  values: Float64Array,
  dims: number,
  size: number,
  groupOf: Int32Array,
  firstGroup: number,
): number {
  let group = firstGroup;
  const free = Array.from(leaf);
  const centre = new Float64Array(dims);
  for (const u of free)
    for (let d = 0; d < dims; d++) centre[d] += values[u * dims + d] / free.length;
  const fromCentre = new Map<number, number>();
  for (const u of free) {
    let sum = 0;
    for (let d = 0; d < dims; d++) sum += (values[u * dims + d] - centre[d]) ** 2;
    fromCentre.set(u, sum);
  }
  free.sort((a, b) => fromCentre.get(b)! - fromCentre.get(a)! || a - b);
  while (free.length >= 2 * size) {
    const seed = free.shift()!;
    const nearest = free
      .map((u) => [u, squaredDistance(values, dims, seed, u)] as const)
      .sort((a, b) => a[1] - b[1] || a[0] - b[0])
      .slice(0, size - 1)
      .map(([u]) => u);
    groupOf[seed] = group;
    for (const u of nearest) {
      groupOf[u] = group;
      free.splice(free.indexOf(u), 1);
    }
    group++;
  }
  for (const u of free) groupOf[u] = group;
  return free.length > 0 ? group + 1 : group;
}

/** Per-member coordinates (users × dims, row-major) of the members of `ratings`. */
function tasteVectors(
  matrix: RatingMatrix,
  model: FactorModel,
): { dims: number; values: Float64Array } {
  const users = matrix.users;
  const dims = FACTORS + 2;
  const values = new Float64Array(users * dims);
  for (let u = 0; u < users; u++) {
    const row = values.subarray(u * dims, (u + 1) * dims);
    row.set(model.f.userFactors.subarray(u * FACTORS, (u + 1) * FACTORS));
    row[FACTORS] = model.f.userBias[u];
    // How much a member rates matters as much as what: a heavy rater among light ones would
    // collect most of the group's pooled ratings (and stand out).
    row[FACTORS + 1] = Math.log(matrix.userPtr[u + 1] - matrix.userPtr[u] + 1);
  }
  // Each coordinate on a unit scale, so that no one dominates the splits by its units.
  for (let d = 0; d < dims; d++) {
    let sum = 0;
    let squares = 0;
    for (let u = 0; u < users; u++) {
      sum += values[u * dims + d];
      squares += values[u * dims + d] ** 2;
    }
    const mean = sum / Math.max(1, users);
    const sd = Math.sqrt(Math.max(1e-12, squares / Math.max(1, users) - mean * mean));
    for (let u = 0; u < users; u++) values[u * dims + d] = (values[u * dims + d] - mean) / sd;
  }
  return { dims, values };
}

/**
 * The group of every member of `ratings` (indexed like ratings.userIds), groups of `size`
 * similar members (one group per split may hold up to 2·size − 1); fewer members than `size`
 * form one group.
 */
export interface MemberGroups {
  groupOf: Int32Array;
  groups: number;
  /** The taste model's predicted rating of member u for item i (dense indexes of `ratings`). */
  predict(u: number, i: number): number;
}

/** The taste model of the swap's plausible deals. */
export const PLAUSIBILITY_MODELS = ['als', 'item-knn'] as const;
export type PlausibilityModel = (typeof PLAUSIBILITY_MODELS)[number];

/** Each taste model's parameters: small, as every release fits them (ALS's factors also group). */
const TASTE_PARAMS: Record<PlausibilityModel, Params> = {
  als: { factors: FACTORS, iterations: 6 },
  'item-knn': {},
};

const fitTasteModel = (
  ratings: Ratings | RatingMatrix,
  model: PlausibilityModel,
  seed: number,
  scale?: RatingScale,
): BaseModel => fitAlgorithm(model, ratings, TASTE_PARAMS[model], { seed, scale, threads: 1 });

/**
 * Each taste model's RMSE on a seeded held-out tenth of each member's ratings, fitted on the
 * rest: how well it predicts these members, for the release's choice among its swaps.
 */
export function heldOutTasteFit(
  members: Ratings,
  models: readonly PlausibilityModel[],
  seed: number,
  scale: RatingScale,
): number[] {
  const fold = perUserHoldout(members, 0.1, seed);
  return models.map(
    (model) =>
      evaluateRatings(fitTasteModel(fold.train, model, seed, scale), fold.test).metrics.rmse,
  );
}

/**
 * A model's predictions through each member's scores for every item at once (one pass over the
 * member's ratings, instead of a neighbour walk per pair): a group's deals ask its members about
 * many movies each. The vectors of the last members asked are kept (a group has at most 31).
 */
function byMemberScores(model: BaseModel): (u: number, i: number) => number {
  const kept = new Map<number, Float64Array>();
  return (u, i) => {
    let scores = kept.get(u);
    if (!scores) {
      if (kept.size >= 64) kept.clear();
      scores = model.scoreAll(u);
      kept.set(u, scores);
    }
    return model.clip(scores[i]);
  };
}

export function similarMemberGroups(
  ratings: Ratings,
  size: number,
  seed: number,
  plausibility: PlausibilityModel = 'als',
): MemberGroups {
  const users = ratings.userIds.size;
  const groupOf = new Int32Array(users);
  const matrix = RatingMatrix.fromRatings(ratings);
  const model = fitTasteModel(matrix, 'als', seed) as FactorModel;
  const f = model.f;
  const alsPredict = (u: number, i: number) => {
    let sum = f.globalMean + f.userBias[u] + f.itemBias[i];
    for (let d = 0; d < FACTORS; d++)
      sum += f.userFactors[u * FACTORS + d] * f.itemFactors[i * FACTORS + d];
    return sum;
  };
  let predict = alsPredict;
  if (plausibility === 'item-knn') {
    predict = byMemberScores(fitTasteModel(matrix, 'item-knn', seed));
  }
  if (users === 0) return { groupOf, groups: 0, predict };
  const { dims, values } = tasteVectors(matrix, model);
  const members = new Int32Array(users);
  for (let u = 0; u < users; u++) members[u] = u;
  let groups = 0;
  const keys = new Float64Array(users);
  // An explicit stack of [begin, end) ranges of `members` still to split.
  const stack: Array<[number, number]> = [[0, users]];
  while (stack.length > 0) {
    const [begin, end] = stack.pop()!;
    const n = end - begin;
    if (n < LEAF_GROUPS * size) {
      groups = groupLeaf(members.subarray(begin, end), values, dims, size, groupOf, groups);
      continue;
    }
    // The widest coordinate of this range, and its members ordered along it.
    let widest = 0;
    let widestSpread = -1;
    for (let d = 0; d < dims; d++) {
      let low = Infinity;
      let high = -Infinity;
      for (let k = begin; k < end; k++) {
        const v = values[members[k] * dims + d];
        if (v < low) low = v;
        if (v > high) high = v;
      }
      if (high - low > widestSpread) {
        widestSpread = high - low;
        widest = d;
      }
    }
    const range = Array.from(members.subarray(begin, end));
    for (const u of range) keys[u] = values[u * dims + widest];
    range.sort((a, b) => keys[a] - keys[b] || a - b);
    members.set(range, begin);
    // Split at a multiple of `size` near the middle, so that leaves come out full.
    const left = Math.max(size, Math.round(n / 2 / size) * size);
    stack.push([begin, begin + left], [begin + left, end]);
  }
  return { groupOf, groups, predict };
}
