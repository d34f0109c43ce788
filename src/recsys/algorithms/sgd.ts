/**
 * Biased matrix factorization trained by stochastic gradient descent: Funk SVD ("svd", Surprise's
 * SVD) and Koren's SVD++ ("svdpp"). For each training rating, in order:
 *
 *   e   = r_ui − (μ + b_u + b_i + q_iᵀ z_u)
 *   b_u += lr_b (e − λ_b b_u)          b_i += lr_b (e − λ_b b_i)
 *   p_u += lr (e q_i − λ p_u)          q_i += lr (e z_u − λ q_i)     (old values on the right)
 *
 * svd: z_u = p_u. With the defaults (100 factors, 20 epochs, lr 0.005, λ 0.02, init N(0, 0.1²),
 * order "user": ratings user by user, as Surprise's trainset yields them) this is Surprise's SVD.
 * svdpp: z_u = p_u + |N(u)|^−½ Σ_{j∈N(u)} y_j with N(u) the user's rated items; the implicit sum
 * is computed once per user per epoch and the y_j gradients (and penalties) of all the user's
 * ratings are summed and applied after them (the usual fast variant of Koren 2008; Surprise
 * applies them rating by rating, which costs |N(u)|·k per rating). The steps run in a
 * WebAssembly SIMD kernel (../wasm/sgdSteps.ts).
 */
import { Random } from '../../util/random.ts';
import type { AlgorithmDefinition, FitOptions } from '../algorithm.ts';
import { num } from '../algorithm.ts';
import type { RatingMatrix } from '../matrix.ts';
import { coreFromMatrix } from '../model.ts';
import type { ParamSpec, Params } from '../modelTypes.ts';
import { fitBaseline } from './bias.ts';
import { FactorModel } from './factors.ts';
import { SgdSteps } from '../wasm/sgdSteps.ts';

function sgdParams(
  factors: number,
  epochs: number,
  learningRate: number,
  regularization: number,
): Record<string, ParamSpec> {
  return {
    factors: {
      default: factors,
      min: 1,
      max: 1024,
      integer: true,
      description: 'latent factors k',
    },
    epochs: {
      default: epochs,
      min: 1,
      integer: true,
      description: 'passes over the training ratings',
    },
    learningRate: { default: learningRate, min: 0, description: 'SGD step for factors (lr)' },
    regularization: { default: regularization, min: 0, description: 'L2 penalty on factors (λ)' },
    biasLearningRate: { default: learningRate, min: 0, description: 'SGD step for biases (lr_b)' },
    biasRegularization: {
      default: regularization,
      min: 0,
      description: 'L2 penalty on biases (λ_b)',
    },
    initStd: {
      default: 0.1,
      min: 0,
      description: 'standard deviation of the normal initial factors',
    },
    order: {
      default: 'user',
      choices: ['user', 'shuffle'],
      description:
        '"user": ratings user by user (Surprise); "shuffle": new random order each epoch',
    },
  };
}

function trainSgd(
  matrix: RatingMatrix,
  params: Params,
  options: FitOptions & { seed: number },
  implicit: boolean,
) {
  const k = num(params, 'factors');
  const epochs = num(params, 'epochs');
  const lr = num(params, 'learningRate');
  const reg = num(params, 'regularization');
  const lrBias = num(params, 'biasLearningRate');
  const regBias = num(params, 'biasRegularization');
  const initStd = num(params, 'initStd');
  const shuffle = params.order === 'shuffle';
  const random = new Random(options.seed);
  const { users, items, userPtr } = matrix;
  const mu = matrix.globalMean;
  const userFactors = new Float64Array(users * k);
  const itemFactors = new Float64Array(items * k);
  for (let x = 0; x < userFactors.length; x++) userFactors[x] = random.normal(0, initStd);
  for (let x = 0; x < itemFactors.length; x++) itemFactors[x] = random.normal(0, initStd);
  const implicitFactors = implicit ? new Float64Array(items * k) : null;
  if (implicitFactors)
    for (let x = 0; x < implicitFactors.length; x++) implicitFactors[x] = random.normal(0, initStd);
  const userBias = new Float64Array(users);
  const itemBias = new Float64Array(items);
  // Shuffled order visits rating positions in a random permutation (users known per position).
  const ratingUser = shuffle && !implicit ? new Int32Array(matrix.length) : null;
  if (ratingUser) for (let u = 0; u < users; u++) ratingUser.fill(u, userPtr[u], userPtr[u + 1]);
  const order = shuffle ? new Int32Array(implicit ? users : matrix.length) : null;
  if (order) for (let x = 0; x < order.length; x++) order[x] = x;

  // The steps run in the WebAssembly kernel, on its copy of the ratings and the state.
  const state = { userFactors, itemFactors, userBias, itemBias, implicitFactors };
  const kernel = new SgdSteps(matrix, state, { factors: k, mu, lr, reg, lrBias, regBias });
  for (let epoch = 0; epoch < epochs; epoch++) {
    if (order) random.shuffle(order);
    if (implicit) {
      if (order) for (const u of order) kernel.implicitUsers(u, u + 1);
      else kernel.implicitUsers(0, users);
    } else if (order && ratingUser) {
      for (const p of order) kernel.rating(ratingUser[p], p);
    } else {
      kernel.users(0, users);
    }
    options.onProgress?.((epoch + 1) / epochs);
  }
  kernel.read(state);
  return { k, mu, userBias, itemBias, userFactors, itemFactors, implicitFactors, reg, regBias };
}

function fitSgd(name: string, implicit: boolean): AlgorithmDefinition['fit'] {
  return (matrix, params, options) => {
    const t = trainSgd(matrix, params, options, implicit);
    const core = coreFromMatrix(matrix, name, 'rating', params, fitBaseline(matrix));
    return new FactorModel(core, {
      factors: t.k,
      globalMean: t.mu,
      userBias: t.userBias,
      itemBias: t.itemBias,
      userFactors: t.userFactors,
      itemFactors: t.itemFactors,
      implicitFactors: t.implicitFactors,
      regularization: t.reg,
      biasRegularization: t.regBias,
      biasPenaltyPerRating: true,
    });
  };
}

export const svd: AlgorithmDefinition = {
  name: 'svd',
  description: 'Biased matrix factorization by SGD (Funk SVD; the defaults are Surprise SVD)',
  kind: 'rating',
  params: sgdParams(100, 20, 0.005, 0.02),
  fit: fitSgd('svd', false),
  restore: (core, parts) => FactorModel.restoreFactors(core, parts),
};

export const svdpp: AlgorithmDefinition = {
  name: 'svdpp',
  description:
    'SVD++ (Koren 2008): biased MF with implicit feedback from which items were rated, by SGD',
  kind: 'rating',
  params: sgdParams(20, 20, 0.007, 0.02),
  fit: fitSgd('svdpp', true),
  restore: (core, parts) => FactorModel.restoreFactors(core, parts),
};
