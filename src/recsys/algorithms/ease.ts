/**
 * EASE^R (Steck 2019), an item-item linear autoencoder for top-N with a closed form:
 *   G = XᵀX + λI (X the binary user×item matrix),  P = G⁻¹,
 *   B_ij = −P_ij / P_jj for i ≠ j,  B_jj = 0,  score(u, j) = Σ_{i∈R(u)} B_ij.
 * The dense item×item inverse is computed in Float64Array by Gauss–Jordan elimination (G is
 * symmetric positive definite, so no pivoting) and B is kept in Float32Array.
 * Fold-in needs nothing but the member's rated items.
 */
import type { AlgorithmDefinition } from '../algorithm.ts';
import { num } from '../algorithm.ts';
import { invertSymmetricPositiveDefinite } from '../linalg.ts';
import { defaultThreads } from '../parallel.ts';
import { BaseModel, coreFromMatrix } from '../model.ts';
import type { ModelCore, ModelParts, UserView } from '../modelTypes.ts';
import { fitBaseline } from './bias.ts';

export class EaseModel extends BaseModel {
  constructor(
    core: ModelCore,
    /** items × items, row-major: weights[i * items + j] = B_ij. */
    readonly weights: Float32Array,
  ) {
    super(core);
  }

  protected scoreOne(user: UserView, item: number): number {
    const n = this.items;
    let sum = 0;
    for (let k = 0; k < user.items.length; k++) sum += this.weights[user.items[k] * n + item];
    return sum;
  }

  protected override scoreInto(user: UserView, out: Float64Array): void {
    const n = this.items;
    out.fill(0);
    for (let k = 0; k < user.items.length; k++) {
      const row = user.items[k] * n;
      for (let j = 0; j < n; j++) out[j] += this.weights[row + j];
    }
  }

  /** B_ji: how much having rated i adds to j... made symmetric: (B_ij + B_ji) / 2. */
  protected override itemSimilarity(i: number, j: number): number {
    const n = this.items;
    return (this.weights[i * n + j] + this.weights[j * n + i]) / 2;
  }

  protected override similarityRow(i: number, out: Float64Array): void {
    for (let j = 0; j < this.items; j++) out[j] = this.itemSimilarity(i, j);
  }

  /** Contribution of rated item i to the score of `item`: B_i,item. */
  protected override contributions(view: UserView, item: number): Float64Array {
    const out = new Float64Array(view.items.length);
    for (let k = 0; k < view.items.length; k++)
      out[k] = this.weights[view.items[k] * this.items + item];
    return out;
  }

  protected parts(): ModelParts {
    return { arrays: { weights: this.weights }, fields: {} };
  }
}

export const ease: AlgorithmDefinition = {
  name: 'ease',
  description: 'EASE^R (Steck 2019): closed-form item-item linear autoencoder, for top-N',
  kind: 'ranking',
  params: {
    lambda: { default: 500, min: 0, description: 'L2 penalty λ added to the Gram diagonal' },
  },
  fit(matrix, params, options) {
    const n = matrix.items;
    const lambda = num(params, 'lambda');
    const gram = new Float64Array(new SharedArrayBuffer(n * n * 8));
    // XᵀX from the user rows: for each user, every pair of its items.
    const { userPtr, userItems } = matrix;
    for (let u = 0; u < matrix.users; u++) {
      const from = userPtr[u];
      const to = userPtr[u + 1];
      for (let p = from; p < to; p++) {
        const row = userItems[p] * n;
        for (let q = from; q < to; q++) gram[row + userItems[q]] += 1;
      }
    }
    for (let i = 0; i < n; i++) gram[i * n + i] += lambda > 0 ? lambda : 1e-6;
    const progressEvery = Math.max(1, Math.floor(n / 50));
    const threads = options.threads ?? (n >= 1000 ? defaultThreads() : 1);
    const onPivot = (k: number): void => {
      if (k % progressEvery === 0) options.onProgress?.(k / n);
    };
    if (!invertSymmetricPositiveDefinite(gram, n, { threads, onPivot })) {
      throw new Error('ease: the Gram matrix is not positive definite (raise lambda)');
    }
    const weights = new Float32Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++)
        weights[i * n + j] = i === j ? 0 : -gram[i * n + j] / gram[j * n + j];
    }
    return new EaseModel(
      coreFromMatrix(matrix, 'ease', 'ranking', params, fitBaseline(matrix)),
      weights,
    );
  },
  restore: (core, parts) => new EaseModel(core, parts.arrays.weights as Float32Array),
};
