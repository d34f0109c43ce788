/**
 * Alternating least squares, parallel on worker_threads (see parallel.ts, alsKernel.ts):
 *
 * "als": explicit biased MF, weighted-λ regularization (Zhou et al. 2008):
 *   min Σ (r_ui − μ − b_u − b_i − p_uᵀq_i)² + λ Σ_u n_u |p_u|² + λ Σ_i n_i |q_i|²
 *                                           + λ_b (Σ_u b_u² + Σ_i b_i²)
 *   Each half-step improves every user (then every item) by cgSteps conjugate-gradient steps
 *   from its previous value (solver "cg", the default), or solves it exactly by Cholesky.
 *
 * "ials": implicit ALS (Hu, Koren & Volinsky 2008) for top-N: preference 1 for every rated item
 *   with confidence c_ui = 1 + α·(r_ui, or 1 when confidence = "binary"), 0 with confidence 1
 *   for everything else; min Σ_all c_ui (p_ui − x_uᵀy_i)² + λ(|x_u|² + |y_i|²), each row solved
 *   by cgSteps steps of conjugate gradient from its previous value (Takács et al. 2011).
 *   Fold-in solves the user's system exactly (Cholesky).
 */
import { Random } from '../../util/random.ts';
import type { AlgorithmDefinition, FitOptions } from '../algorithm.ts';
import { num } from '../algorithm.ts';
import { choleskySolve } from '../linalg.ts';
import type { RatingMatrix } from '../matrix.ts';
import { coreFromMatrix } from '../model.ts';
import type { ModelCore, ModelParts, Params } from '../modelTypes.ts';
import { defaultThreads, RowPool, shared } from '../parallel.ts';
import { normalPassModule } from '../wasm/normalPass.ts';
import { conjugateGradientRows, explicitAlsRows } from './alsKernel.ts';
import { fitBaseline } from './bias.ts';
import { FactorModel } from './factors.ts';

/** Below this many ratings the fit runs on the calling thread alone (workers cost ~0.1 s to start). */
const PARALLEL_THRESHOLD = 200_000;

function threadsFor(matrix: RatingMatrix, options: FitOptions): number {
  if (options.threads !== undefined) return Math.max(1, Math.floor(options.threads));
  return matrix.length >= PARALLEL_THRESHOLD ? defaultThreads() : 1;
}

function randomFactors(count: number, k: number, random: Random, std: number): Float64Array {
  const factors = new Float64Array(new SharedArrayBuffer(count * k * 8));
  for (let x = 0; x < factors.length; x++) factors[x] = random.normal(0, std);
  return factors;
}

/**
 * The fields both row kernels read (alsKernel.ts): the rating structure in shared memory, the
 * compiled normal-equation module, the generation counter and the conjugate-gradient settings.
 */
function kernelInputs(matrix: RatingMatrix, k: number, params: Params) {
  return {
    wasm: normalPassModule(),
    generation: new Int32Array(new SharedArrayBuffer(4)),
    cgSteps: num(params, 'cgSteps'),
    k,
    userPtr: shared(matrix.userPtr),
    userItems: shared(matrix.userItems),
    itemPtr: shared(matrix.itemPtr),
    itemUsers: shared(matrix.itemUsers),
  };
}

export const als: AlgorithmDefinition = {
  name: 'als',
  description:
    'Biased matrix factorization by alternating least squares (weighted-λ), multi-threaded',
  kind: 'rating',
  params: {
    factors: { default: 64, min: 1, max: 1024, integer: true, description: 'latent factors k' },
    iterations: { default: 15, min: 1, integer: true, description: 'user+item half-step pairs' },
    regularization: {
      default: 0.1,
      min: 0,
      description: 'λ on factors, times the row’s rating count',
    },
    biasRegularization: {
      default: 10,
      min: 0,
      description: 'λ_b on biases (a damping: not times the count)',
    },
    initStd: {
      default: 0.1,
      min: 0,
      description: 'standard deviation of the normal initial item factors',
    },
    solver: {
      default: 'cg',
      choices: ['cg', 'cholesky'],
      description:
        'cgSteps conjugate-gradient steps per row from its previous value (WebAssembly SIMD), or the exact Cholesky solve (about 10× slower)',
    },
    cgSteps: {
      default: 3,
      min: 1,
      integer: true,
      description: 'conjugate-gradient steps (solver cg)',
    },
  },
  fit(matrix, params, options) {
    const k = num(params, 'factors');
    const iterations = num(params, 'iterations');
    const random = new Random(options.seed);
    const data = {
      implicit: 0,
      ...kernelInputs(matrix, k, params),
      userRatings: shared(matrix.userRatings),
      itemRatings: shared(matrix.itemRatings),
      userFactors: new Float64Array(new SharedArrayBuffer(matrix.users * k * 8)),
      userBias: new Float64Array(new SharedArrayBuffer(matrix.users * 8)),
      itemFactors: randomFactors(matrix.items, k, random, num(params, 'initStd')),
      itemBias: new Float64Array(new SharedArrayBuffer(matrix.items * 8)),
      globalMean: matrix.globalMean,
      regularization: num(params, 'regularization'),
      biasRegularization: num(params, 'biasRegularization'),
    };
    const kernel = params.solver === 'cg' ? conjugateGradientRows : explicitAlsRows;
    const pool = new RowPool(kernel, data, threadsFor(matrix, options));
    try {
      for (let iteration = 0; iteration < iterations; iteration++) {
        data.generation[0]++;
        pool.run(0, matrix.users);
        data.generation[0]++;
        pool.run(1, matrix.items);
        options.onProgress?.((iteration + 1) / iterations);
      }
    } finally {
      pool.close();
    }
    const core = coreFromMatrix(matrix, 'als', 'rating', params, fitBaseline(matrix));
    return new FactorModel(core, {
      factors: k,
      globalMean: matrix.globalMean,
      userBias: Float64Array.from(data.userBias),
      itemBias: Float64Array.from(data.itemBias),
      userFactors: Float64Array.from(data.userFactors),
      itemFactors: Float64Array.from(data.itemFactors),
      implicitFactors: null,
      regularization: data.regularization,
      biasRegularization: data.biasRegularization,
      biasPenaltyPerRating: false,
    });
  },
  restore: (core, parts) => FactorModel.restoreFactors(core, parts),
};

/** Implicit-feedback factors: scores x_uᵀy_i, fold-in by the exact implicit least squares. */
export class ImplicitFactorModel extends FactorModel {
  protected override foldState(items: Int32Array, ratings: Float32Array): Float64Array {
    const k = this.f.factors;
    const state = new Float64Array(k + 1);
    if (items.length === 0) return state;
    const y = this.f.itemFactors;
    const alpha = Number(this.params.alpha);
    const binary = this.params.confidence === 'binary';
    const reg = Number(this.params.regularization);
    const a = this.gram().slice();
    const b = new Float64Array(k);
    for (let f = 0; f < k; f++) a[f * k + f] += reg;
    for (let n = 0; n < items.length; n++) {
      const offset = items[n] * k;
      const c = 1 + alpha * (binary ? 1 : ratings[n]);
      for (let f = 0; f < k; f++) {
        const yf = y[offset + f];
        b[f] += c * yf;
        for (let g = 0; g < k; g++) a[f * k + g] += (c - 1) * yf * y[offset + g];
      }
    }
    if (choleskySolve(a, b, k)) state.set(b, 1);
    return state;
  }

  private gramCache: Float64Array | null = null;

  /** YᵀY of the item factors. */
  gram(): Float64Array {
    if (!this.gramCache) this.gramCache = gramOf(this.f.itemFactors, this.items, this.f.factors);
    return this.gramCache;
  }

  static restoreImplicit(core: ModelCore, parts: ModelParts): ImplicitFactorModel {
    const model = FactorModel.restoreFactors(core, parts);
    return new ImplicitFactorModel(core, model.f);
  }
}

function gramOf(
  factors: Float64Array<ArrayBufferLike>,
  rows: number,
  k: number,
  out: Float64Array<ArrayBufferLike> = new Float64Array(k * k),
): Float64Array<ArrayBufferLike> {
  out.fill(0);
  for (let row = 0; row < rows; row++) {
    const offset = row * k;
    for (let f = 0; f < k; f++) {
      const value = factors[offset + f];
      if (value === 0) continue;
      const line = f * k;
      for (let g = f; g < k; g++) out[line + g] += value * factors[offset + g];
    }
  }
  for (let f = 0; f < k; f++) for (let g = 0; g < f; g++) out[f * k + g] = out[g * k + f];
  return out;
}

export const ials: AlgorithmDefinition = {
  name: 'ials',
  description: 'Implicit ALS (Hu, Koren & Volinsky 2008) by conjugate gradient, for top-N',
  kind: 'ranking',
  params: {
    factors: { default: 64, min: 1, max: 1024, integer: true, description: 'latent factors k' },
    iterations: { default: 15, min: 1, integer: true, description: 'user+item half-step pairs' },
    regularization: { default: 0.1, min: 0, description: 'λ on factors' },
    alpha: { default: 10, min: 0, description: 'confidence slope α in c = 1 + α·r' },
    confidence: {
      default: 'binary',
      choices: ['binary', 'rating'],
      description: 'r in c = 1 + α·r: 1 or the rating',
    },
    cgSteps: {
      default: 3,
      min: 1,
      integer: true,
      description: 'conjugate-gradient steps per row and half-step',
    },
    initStd: {
      default: 0.01,
      min: 0,
      description: 'standard deviation of the normal initial factors',
    },
  },
  fit(matrix, params, options) {
    const k = num(params, 'factors');
    const iterations = num(params, 'iterations');
    const alpha = num(params, 'alpha');
    const binary = params.confidence === 'binary';
    const random = new Random(options.seed);
    const confidence = (values: Float32Array): Float32Array => {
      const out = new Float32Array(new SharedArrayBuffer(values.length * 4));
      for (let p = 0; p < values.length; p++) out[p] = 1 + alpha * (binary ? 1 : values[p]);
      return out;
    };
    const initStd = num(params, 'initStd');
    const data = {
      implicit: 1,
      ...kernelInputs(matrix, k, params),
      userConfidence: confidence(matrix.userRatings),
      itemConfidence: confidence(matrix.itemRatings),
      userFactors: randomFactors(matrix.users, k, random, initStd),
      itemFactors: randomFactors(matrix.items, k, random, initStd),
      gram: new Float64Array(new SharedArrayBuffer(k * k * 8)),
      regularization: num(params, 'regularization'),
    };
    const pool = new RowPool(conjugateGradientRows, data, threadsFor(matrix, options));
    try {
      for (let iteration = 0; iteration < iterations; iteration++) {
        gramOf(data.itemFactors, matrix.items, k, data.gram);
        data.generation[0]++;
        pool.run(0, matrix.users);
        gramOf(data.userFactors, matrix.users, k, data.gram);
        data.generation[0]++;
        pool.run(1, matrix.items);
        options.onProgress?.((iteration + 1) / iterations);
      }
    } finally {
      pool.close();
    }
    const core = coreFromMatrix(matrix, 'ials', 'ranking', params, fitBaseline(matrix));
    return new ImplicitFactorModel(core, {
      factors: k,
      globalMean: 0,
      userBias: new Float64Array(matrix.users),
      itemBias: new Float64Array(matrix.items),
      userFactors: Float64Array.from(data.userFactors),
      itemFactors: Float64Array.from(data.itemFactors),
      implicitFactors: null,
      regularization: data.regularization,
      biasRegularization: 0,
      biasPenaltyPerRating: false,
    });
  },
  restore: (core, parts) => ImplicitFactorModel.restoreImplicit(core, parts),
};
