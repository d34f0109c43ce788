/**
 * What the concurrent pipeline (report.ts: evaluatePolicyConcurrently) shares among the policies
 * one run evaluates, the main policy and the frontier's presets: one auditor thread holding the
 * truth, the utility fits and leaderboard sides by a digest of what they depend on (presets that
 * hold back or release the same ratings, as naive and movielens often do, are not fitted again),
 * and every worker thread started, ended by close().
 */
import type { Dataset, RatingScale, Ratings } from '../datasets/dataset.ts';
import type { ReleaseAuditRequest } from './audit.ts';
import { Auditor, type TimedAudit } from './auditor.ts';
import { digest } from './columns.ts';
import type { LeaderboardMemo } from './researchUtility.ts';
import type { RunProgress } from './runProgress.ts';
import { UtilityFit } from './utilityFit.ts';
import type { UtilityScores, UtilityTest } from './utility.ts';

/** A utility model fitted (or fitting) on a worker; its scores per test asked, kept. */
export interface SharedFit {
  score(test: UtilityTest): Promise<UtilityScores>;
}

const trainDigest = (train: Ratings, algorithm: string, seed: number) =>
  digest(
    [
      train.userIndex,
      train.itemIndex,
      train.rating,
      train.timestamp,
      train.userIds.ids,
      train.itemIds.ids,
    ],
    `${algorithm}:${seed}:${train.length}`,
  );

const testDigest = (test: UtilityTest) =>
  digest([test.users, test.start, test.movieIds, test.rating, test.ranked], '');

export class PipelineRun {
  readonly leaderboard: LeaderboardMemo = new Map();
  /** Every worker started for this run (the leaderboard's sides push theirs here). */
  readonly workers: Array<{ cancel(): Promise<void> }> = [];
  private readonly fits = new Map<string, SharedFit>();
  private auditor: Auditor | null = null;

  constructor(
    private readonly truth: Dataset,
    /** The run's progress; each evaluation takes its reporter from it. */
    readonly progress: RunProgress,
  ) {}

  /** The audit of a release, on the auditor's thread (started at the first audit). */
  audit(
    request: ReleaseAuditRequest,
    onProgress?: (fraction: number) => void,
  ): Promise<TimedAudit> {
    if (!this.auditor) {
      this.auditor = new Auditor(this.truth);
      this.workers.push(this.auditor);
    }
    return this.auditor.audit(request, onProgress);
  }

  /** The utility model on `train`: started now on a worker, unless this run has it already. */
  fit(train: Ratings, algorithm: string, scale: RatingScale, seed: number): SharedFit {
    const key = trainDigest(train, algorithm, seed);
    let shared = this.fits.get(key);
    if (!shared) {
      const fit = new UtilityFit(train, algorithm, scale, seed);
      this.workers.push(fit);
      const scores = new Map<string, Promise<UtilityScores>>();
      shared = {
        score: (test) => {
          const testKey = testDigest(test);
          let known = scores.get(testKey);
          if (!known) {
            known = fit.score(test);
            scores.set(testKey, known);
          }
          return known;
        },
      };
      this.fits.set(key, shared);
    }
    return shared;
  }

  /** Ends every worker of the run. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.cancel()));
  }
}
