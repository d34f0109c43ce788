/**
 * The research-utility measure of a release (leaderboard.ts) wired into the pipeline: on this
 * thread (`researchUtilityOf`), or with each side of the leaderboard on a worker thread while the
 * caller audits (`startResearchUtility`), with the sides already measured in the same pipeline
 * run reused (the presets usually release the same members, so the untransformed side is the
 * same for all of them, and naive and movielens often release the same ratings).
 */
import type { Dataset, RatingScale, Ratings } from '../datasets/dataset.ts';
import { digest } from './columns.ts';
import {
  leaderboardInputs,
  measureResearchUtility,
  measuredResearchUtility,
  type LeaderboardInputs,
  type LeaderboardScores,
  type MeasuredResearchUtility,
  type ResearchUtility,
} from './leaderboard.ts';
import { LeaderboardRun } from './leaderboardRun.ts';
import { releaseIdsOfMembers, type ReleaseResult } from './release.ts';

/** Leaderboard scores of one pipeline run, by a digest of the ratings and seed they came from. */
export type LeaderboardMemo = Map<string, Promise<LeaderboardScores>>;

function inputsOf(release: ReleaseResult, seed: number): LeaderboardInputs {
  const releaseIdOf = releaseIdsOfMembers(release);
  return leaderboardInputs(
    release.dataset.ratings,
    release.untransformed,
    (id) => releaseIdOf.get(id),
    seed,
  );
}

export function researchUtilityOf(
  release: ReleaseResult,
  scale: RatingScale,
  seed: number,
): MeasuredResearchUtility {
  return measureResearchUtility(inputsOf(release, seed), scale, seed);
}

/**
 * Starts both sides of the leaderboard on worker threads (unless the memo has them) and resolves
 * with the comparison; the workers started are pushed to `runs` for the caller to end.
 */
export function startResearchUtility(
  release: ReleaseResult,
  scale: RatingScale,
  seed: number,
  memo: LeaderboardMemo,
  runs: Array<{ cancel(): Promise<void> }>,
): Promise<MeasuredResearchUtility> {
  const inputs = inputsOf(release, seed);
  const side = (ratings: Ratings): Promise<LeaderboardScores> => {
    const key = digest(
      [
        ratings.userIndex,
        ratings.itemIndex,
        ratings.rating,
        ratings.userIds.ids,
        ratings.itemIds.ids,
      ],
      `leaderboard:${seed}`,
    );
    let scores = memo.get(key);
    if (!scores) {
      const run = new LeaderboardRun(ratings, scale, seed);
      runs.push(run);
      scores = run.scores;
      memo.set(key, scores);
    }
    return scores;
  };
  const released = side(inputs.released);
  const untransformed = side(inputs.untransformed);
  const result = Promise.all([released, untransformed]).then(([r, u]) =>
    measuredResearchUtility(inputs, r, u),
  );
  // Awaited after the audit: a failure before then must not be an unhandled rejection.
  result.catch(() => undefined);
  return result;
}

/**
 * The research utility of any release against the true data (`lenslab audit`): the untransformed
 * side is the true ratings of the released members. `originalIdOf` maps a release id to the true
 * id (without it the ids are taken as equal).
 */
export function auditResearchUtility(
  truth: Dataset,
  release: Dataset,
  originalIdOf?: (releaseId: number) => number | undefined,
  seed = 1,
): ResearchUtility {
  const releaseIdOf = new Map<number, number>();
  for (const id of release.ratings.userIds.ids) {
    const original = originalIdOf ? originalIdOf(id) : id;
    if (original !== undefined) releaseIdOf.set(original, id);
  }
  const inputs = leaderboardInputs(
    release.ratings,
    truth.ratings,
    (id) => releaseIdOf.get(id),
    seed,
  );
  return measureResearchUtility(inputs, truth.scale, seed).value;
}
