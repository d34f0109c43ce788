/**
 * lenslab's recommender library: pure computation over the columnar dataset (no I/O).
 *
 * ```ts
 * import { fitAlgorithm, loadModel, DEFAULT_ALGORITHM } from './recsys/index.ts';
 * const model = fitAlgorithm(DEFAULT_ALGORITHM, dataset.ratings, {}, { seed: 1, scale: dataset.scale });
 * const u = model.userIndexOf(42);                       // -1 for an unknown member
 * model.predict(u, model.itemIndexOf(1));                 // predicted rating, clipped
 * model.recommend(u, 20);                                 // [{ item, movieId, score }], rated excluded
 * const me = model.foldIn([{ movieId: 1, rating: 5 }]);   // a member who rated after training
 * model.recommend(me, 20); model.explain(me, item);       // "because you rated …"
 * model.similarItems(model.itemIndexOf(1), 10);           // "similar movies"
 * const bytes = model.toBytes(); loadModel(bytes);        // versioned model file
 * ```
 */
export {
  ALGORITHMS,
  ALGORITHM_NAMES,
  DEFAULT_ALGORITHM,
  DEFAULT_RANKING_ALGORITHM,
  fitAlgorithm,
  fitAlgorithmOnWorkers,
  getAlgorithm,
  loadModel,
  type FitAlgorithmOptions,
} from './registry.ts';
export {
  ParameterError,
  resolveParams,
  type AlgorithmDefinition,
  type FitOptions,
} from './algorithm.ts';
export { BaseModel, shareTrainingData } from './model.ts';
export { topN } from './topN.ts';
export {
  FoldedUser,
  type Model,
  type ModelMetadata,
  type ParamSpec,
  type Params,
  type RatingInput,
  type RecommendOptions,
  type ScoredItem,
  type UserRef,
} from './modelTypes.ts';
export { RatingMatrix } from './matrix.ts';
export {
  ModelFileError,
  MODEL_FILE_MAGIC,
  MODEL_FILE_VERSION,
  parseModelFile,
} from './serialize.ts';
export { fitBaseline } from './algorithms/bias.ts';
export * from './eval/metrics.ts';
export {
  evaluateAlgorithm,
  evaluateRanking,
  evaluateRatings,
  summarize,
  RANKING_METRICS,
  type Summary,
} from './eval/evaluate.ts';
export {
  givenN,
  kFold,
  perUserHoldout,
  protocolFolds,
  protocolInfo,
  PROTOCOLS,
  randomSplit,
  temporalLastN,
  type Fold,
} from './eval/protocols.ts';
export { gridOf, searchParams, type SearchOptions, type SearchResult } from './eval/search.ts';
