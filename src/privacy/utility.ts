/**
 * The utility of a release: the default model trained on the released data and tested on the
 * held-back true ratings (RMSE, and nDCG@10 with relevant = held-back items rated ≥ 4), next to
 * the same model trained on the untransformed data.
 */
import type { RatingScale, Ratings } from '../datasets/dataset.ts';
import { DEFAULT_ALGORITHM, fitAlgorithm, ndcgAt, rmse, type Model } from '../recsys/index.ts';
import { Random } from '../util/random.ts';
import { rowsByUser } from './columns.ts';

export interface UtilityScores {
  rmse: number;
  ndcgAt10: number;
}

export interface UtilityResult {
  algorithm: string;
  testRatings: number;
  /** Users whose nDCG@10 was averaged (a seeded sample of at most rankingUsers). */
  rankingUsers: number;
  released: UtilityScores;
  untransformed: UtilityScores;
}

/** Relevant held-back ratings are ≥ this (BENCHMARKS.md holdout20 convention). */
const RELEVANT = 4;

function evaluate(
  model: Model,
  test: Ratings,
  userIdOf: (liveId: number) => number | undefined,
  rankingSample: Set<number>,
): UtilityScores {
  const users = new Int32Array(test.length);
  const items = new Int32Array(test.length);
  for (let r = 0; r < test.length; r++) {
    const id = userIdOf(test.userIds.ids[test.userIndex[r]]);
    users[r] = id === undefined ? -1 : model.userIndexOf(id);
    items[r] = model.itemIndexOf(test.itemIds.ids[test.itemIndex[r]]);
  }
  const predicted = model.predictMany(users, items);
  const byUser = rowsByUser(test);
  let ndcgSum = 0;
  let ranked = 0;
  for (let u = 0; u < test.userIds.size; u++) {
    if (!rankingSample.has(u)) continue;
    const relevant = new Set<number>();
    let modelUser = -1;
    for (let k = byUser.start[u]; k < byUser.start[u + 1]; k++) {
      const r = byUser.order[k];
      modelUser = users[r];
      if (test.rating[r] >= RELEVANT && items[r] >= 0) relevant.add(items[r]);
    }
    if (relevant.size === 0) continue;
    const list = model.recommend(modelUser, 10).map((scored) => scored.item);
    ndcgSum += ndcgAt(list, relevant, 10);
    ranked++;
  }
  return { rmse: rmse(predicted, test.rating), ndcgAt10: ranked === 0 ? 0 : ndcgSum / ranked };
}

export interface UtilityInput {
  released: Ratings;
  untransformed: Ratings;
  heldOut: Ratings;
  scale: RatingScale;
  /** Release id of a live user id (the mapping), for the released model. */
  releaseIdOf: (liveId: number) => number | undefined;
  seed: number;
  /** At most this many users are ranked for nDCG@10 (default 1000). */
  rankingUsers?: number;
  /** Recommender name; default: recsys's DEFAULT_ALGORITHM ("the default model"). */
  algorithm?: string;
}

export function measureUtility(input: UtilityInput): UtilityResult {
  const { heldOut } = input;
  // Only members present in the release are tested, for both models.
  const testRows: number[] = [];
  for (let r = 0; r < heldOut.length; r++) {
    if (input.releaseIdOf(heldOut.userIds.ids[heldOut.userIndex[r]]) !== undefined)
      testRows.push(r);
  }
  const test: Ratings = {
    length: testRows.length,
    userIndex: Int32Array.from(testRows, (r) => heldOut.userIndex[r]),
    itemIndex: Int32Array.from(testRows, (r) => heldOut.itemIndex[r]),
    rating: Float32Array.from(testRows, (r) => heldOut.rating[r]),
    timestamp: Uint32Array.from(testRows, (r) => heldOut.timestamp[r]),
    userIds: heldOut.userIds,
    itemIds: heldOut.itemIds,
  };
  const limit = input.rankingUsers ?? 1000;
  const random = new Random(input.seed);
  const candidates = Array.from(new Set(test.userIndex));
  random.shuffle(candidates);
  const sample = new Set(candidates.slice(0, limit));
  const options = { seed: input.seed, scale: input.scale };
  const algorithm =
    input.algorithm === undefined || input.algorithm === 'default'
      ? DEFAULT_ALGORITHM
      : input.algorithm;
  const releasedModel = fitAlgorithm(algorithm, input.released, {}, options);
  const untransformedModel = fitAlgorithm(algorithm, input.untransformed, {}, options);
  return {
    algorithm,
    testRatings: test.length,
    rankingUsers: sample.size,
    released: evaluate(releasedModel, test, input.releaseIdOf, sample),
    untransformed: evaluate(untransformedModel, test, (id) => id, sample),
  };
}
