/**
 * One side's biases: out[a] = Σ (r − μ − otherBias[b]) / (n_a + damping) over the ratings (b, r)
 * of a in the CSR lists (ptr, other, ratings); 0 for a without ratings and without damping.
 */
function dampedMeans(
  ptr: Int32Array,
  other: Int32Array,
  ratings: Float32Array,
  mu: number,
  otherBias: Float64Array,
  damping: number,
  out: Float64Array,
): void {
  for (let a = 0; a + 1 < ptr.length; a++) {
    let sum = 0;
    for (let p = ptr[a]; p < ptr[a + 1]; p++) sum += ratings[p] - mu - otherBias[other[p]];
    const n = ptr[a + 1] - ptr[a];
    out[a] = n + damping > 0 ? sum / (n + damping) : 0;
  }
}

/**
 * The bias baseline b_ui = μ + b_u + b_i with damped (regularized) means, fitted by alternating
 * updates as in Koren (2010) and Surprise's BaselineOnly (ALS):
 *
 *   b_i = Σ_{u∈R(i)} (r_ui − μ − b_u) / (|R(i)| + itemDamping)
 *   b_u = Σ_{i∈R(u)} (r_ui − μ − b_i) / (|R(u)| + userDamping)
 *
 * starting from b_u = 0, items first, `iterations` times. Every other model keeps one of these
 * (with the defaults) as its fallback for unknown users and items.
 */
import type { AlgorithmDefinition } from '../algorithm.ts';
import { num } from '../algorithm.ts';
import type { RatingMatrix } from '../matrix.ts';
import { BaseModel, coreFromMatrix } from '../model.ts';
import type { Baseline, ModelParts, UserView } from '../modelTypes.ts';

export const BASELINE_DEFAULTS = { itemDamping: 10, userDamping: 15, iterations: 10 };

export function fitBaseline(
  matrix: RatingMatrix,
  itemDamping = BASELINE_DEFAULTS.itemDamping,
  userDamping = BASELINE_DEFAULTS.userDamping,
  iterations = BASELINE_DEFAULTS.iterations,
): Baseline {
  const mu = matrix.globalMean;
  const userBias = new Float64Array(matrix.users);
  const itemBias = new Float64Array(matrix.items);
  const { itemPtr, itemUsers, itemRatings, userPtr, userItems, userRatings } = matrix;
  for (let iteration = 0; iteration < iterations; iteration++) {
    dampedMeans(itemPtr, itemUsers, itemRatings, mu, userBias, itemDamping, itemBias);
    dampedMeans(userPtr, userItems, userRatings, mu, itemBias, userDamping, userBias);
  }
  return { globalMean: mu, userBias, itemBias, userDamping };
}

export class BiasModel extends BaseModel {
  protected scoreOne(user: UserView, item: number): number {
    return this.baselineOf(user, item);
  }

  protected override scoreInto(user: UserView, out: Float64Array): void {
    const { globalMean, itemBias } = this.core.baseline;
    for (let i = 0; i < this.items; i++) out[i] = globalMean + user.bias + itemBias[i];
  }

  protected parts(): ModelParts {
    return { arrays: {}, fields: {} };
  }
}

export const bias: AlgorithmDefinition = {
  name: 'bias',
  description: 'Global mean + damped user and item biases (the fallback of every model)',
  kind: 'rating',
  params: {
    itemDamping: {
      default: BASELINE_DEFAULTS.itemDamping,
      min: 0,
      description: 'pseudo-ratings at μ added to each item mean',
    },
    userDamping: {
      default: BASELINE_DEFAULTS.userDamping,
      min: 0,
      description: 'pseudo-ratings added to each user mean',
    },
    iterations: {
      default: BASELINE_DEFAULTS.iterations,
      min: 1,
      integer: true,
      description: 'alternating item/user passes',
    },
  },
  fit(matrix, params) {
    const baseline = fitBaseline(
      matrix,
      num(params, 'itemDamping'),
      num(params, 'userDamping'),
      num(params, 'iterations'),
    );
    return new BiasModel(coreFromMatrix(matrix, 'bias', 'rating', params, baseline));
  },
  restore(core) {
    return new BiasModel(core);
  },
};
