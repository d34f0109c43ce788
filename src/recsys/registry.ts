/** The algorithm registry: names on the command line → definitions; fitting and loading models. */
import type { RatingScale, Ratings } from '../datasets/dataset.ts';
import {
  ParameterError,
  resolveParams,
  type AlgorithmDefinition,
  type FitOptions,
} from './algorithm.ts';
import { bias } from './algorithms/bias.ts';
import { blendAlgorithm } from './algorithms/blend.ts';
import { als, ials } from './algorithms/als.ts';
import { ease } from './algorithms/ease.ts';
import { itemKnn } from './algorithms/itemKnn.ts';
import { userKnn } from './algorithms/userKnn.ts';
import { popular } from './algorithms/popular.ts';
import { topPicks } from './algorithms/topPicks.ts';
import { svd, svdpp } from './algorithms/sgd.ts';
import { RatingMatrix } from './matrix.ts';
import type { BaseModel } from './model.ts';
import type { Params } from './modelTypes.ts';
import { parseModelFile } from './serialize.ts';

/** The single (non-blend) algorithms by their command-line names: what a blend may combine. */
const SINGLE_ALGORITHMS: Readonly<Record<string, AlgorithmDefinition>> = {
  bias,
  'item-knn': itemKnn,
  'user-knn': userKnn,
  svd,
  svdpp,
  als,
  ials,
  ease,
  popular,
};

/** Every algorithm by its command-line name. */
export const ALGORITHMS: Readonly<Record<string, AlgorithmDefinition>> = {
  ...SINGLE_ALGORITHMS,
  blend: blendAlgorithm(SINGLE_ALGORITHMS),
  'top-picks': topPicks,
};

/** Names in the order tables list them. */
export const ALGORITHM_NAMES: readonly string[] = Object.keys(ALGORITHMS);

/**
 * The best rating predictor (lowest kfold5 RMSE on ML-100K with its defaults): the site's default
 * model. It fits each member twice, so it is the slowest to train (README: Benchmark).
 */
export const DEFAULT_ALGORITHM = 'blend';

/**
 * The ranking model of the site's lists (top picks, shelves, explore "for you"); the stars stay
 * DEFAULT_ALGORITHM's predictions (README: How predictions are served).
 */
export const DEFAULT_RANKING_ALGORITHM = 'top-picks';

/** The algorithm of a name, or a ParameterError listing the known names. */
export function getAlgorithm(name: string): AlgorithmDefinition {
  const definition = ALGORITHMS[name];
  if (!definition) {
    throw new ParameterError(`unknown algorithm "${name}" (known: ${ALGORITHM_NAMES.join(', ')})`);
  }
  return definition;
}

export interface FitAlgorithmOptions extends FitOptions {
  /** Rating scale for clipping; default: the smallest and largest training rating. */
  scale?: RatingScale;
}

/**
 * Fits an algorithm by name on columnar ratings (or a prebuilt RatingMatrix). Parameters not
 * given take their defaults; unknown names or bad values throw ParameterError.
 */
export function fitAlgorithm(
  name: string,
  ratings: Ratings | RatingMatrix,
  params: Params = {},
  options: FitAlgorithmOptions = {},
): BaseModel {
  const { definition, matrix, resolved, fitOptions } = prepareFit(name, ratings, params, options);
  return definition.fit(matrix, resolved, fitOptions);
}

/**
 * fitAlgorithm for a caller that can wait (`lenslab train`): the same model, fitted with its
 * parts side by side on worker threads where the algorithm can (blend).
 */
export async function fitAlgorithmOnWorkers(
  name: string,
  ratings: Ratings | RatingMatrix,
  params: Params = {},
  options: FitAlgorithmOptions = {},
): Promise<BaseModel> {
  const { definition, matrix, resolved, fitOptions } = prepareFit(name, ratings, params, options);
  return definition.fitOnWorkers
    ? definition.fitOnWorkers(matrix, resolved, fitOptions)
    : definition.fit(matrix, resolved, fitOptions);
}

function prepareFit(
  name: string,
  ratings: Ratings | RatingMatrix,
  params: Params,
  options: FitAlgorithmOptions,
) {
  const definition = getAlgorithm(name);
  const resolved = resolveParams(definition, params);
  const matrix =
    ratings instanceof RatingMatrix ? ratings : RatingMatrix.fromRatings(ratings, options.scale);
  return { definition, matrix, resolved, fitOptions: { ...options, seed: options.seed ?? 0 } };
}

/** A model from the bytes of a model file (Uint8Array or Buffer). */
export function loadModel(bytes: Uint8Array): BaseModel {
  const { core, parts } = parseModelFile(bytes);
  return getAlgorithm(core.algorithm).restore(core, parts);
}
