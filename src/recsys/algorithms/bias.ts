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
import {
  BaseModel,
  coreFromMatrix,
  type Baseline,
  type ModelParts,
  type UserView,
} from '../model.ts';

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
    for (let i = 0; i < matrix.items; i++) {
      let sum = 0;
      for (let p = itemPtr[i]; p < itemPtr[i + 1]; p++)
        sum += itemRatings[p] - mu - userBias[itemUsers[p]];
      const n = itemPtr[i + 1] - itemPtr[i];
      itemBias[i] = n + itemDamping > 0 ? sum / (n + itemDamping) : 0;
    }
    for (let u = 0; u < matrix.users; u++) {
      let sum = 0;
      for (let p = userPtr[u]; p < userPtr[u + 1]; p++)
        sum += userRatings[p] - mu - itemBias[userItems[p]];
      const n = userPtr[u + 1] - userPtr[u];
      userBias[u] = n + userDamping > 0 ? sum / (n + userDamping) : 0;
    }
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
