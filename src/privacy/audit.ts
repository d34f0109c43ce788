/**
 * The audit of a release against the truth: the scoreboard attack in all five settings plus the
 * knowledge curve, quasi-identifier risk, and (for releases made here) the utility measure.
 */
import type { Dataset, UserProfile } from '../datasets/dataset.ts';
import type { Levels } from './demographics.ts';
import type { QuasiIdentifier } from './policy.ts';
import { inferLevels, quasiIdentifierRisk, type QuasiIdentifierRisk } from './qiRisk.ts';
import {
  SCOREBOARD_SETTINGS,
  indexRelease,
  indexTruth,
  runScoreboard,
  sampleTargets,
  type ScoreboardOutcome,
} from './scoreboard.ts';

export interface KnowledgePoint {
  m: number;
  /** Re-identified share with dates known within ±14 days (w = 0). */
  withDates: number;
  /** Re-identified share without dates (w = 0). */
  withoutDates: number;
}

export interface AuditInput {
  /** The true data (aux knowledge is drawn from it). */
  truth: Dataset;
  /** The released dataset, as read from its files. */
  release: Dataset;
  /** Live/original user id of each release user id (a map); without it, ids are taken as equal. */
  originalIdOf?: (releaseId: number) => number | undefined;
  targets?: number | 'all';
  quasiIdentifiers?: readonly QuasiIdentifier[];
  /** Generalization levels of the release's demographics (inferred from the values if absent). */
  levels?: Levels;
  /** Compute the re-identification curve m = 1…10 (default true). */
  knowledgeCurve?: boolean;
  onProgress?: (fraction: number) => void;
}

export interface AuditResult {
  targets: number;
  releasedUsers: number;
  /** Release users whose original id is unknown to the truth (cannot be targets). */
  unmatchedUsers: number;
  hasDates: boolean;
  scoreboard: ScoreboardOutcome[];
  knowledgeCurve: KnowledgePoint[];
  quasiIdentifiers: QuasiIdentifierRisk | null;
}

export function auditRelease(input: AuditInput): AuditResult {
  const { truth, release } = input;
  const truthIndex = indexTruth(truth);
  const releaseIndex = indexRelease(release.ratings);
  const releaseUsers = release.ratings.userIds;
  const originalOfRelease = new Int32Array(releaseUsers.size);
  const matched: number[] = [];
  for (let u = 0; u < releaseUsers.size; u++) {
    const releaseId = releaseUsers.ids[u];
    const originalId = input.originalIdOf ? input.originalIdOf(releaseId) : releaseId;
    const original = originalId === undefined ? -1 : truth.ratings.userIds.indexOf(originalId);
    originalOfRelease[u] = original;
    if (original >= 0) matched.push(u);
  }
  const sample = sampleTargets(matched.length, input.targets ?? 500);
  const targets = new Int32Array(sample.length);
  for (let t = 0; t < sample.length; t++) targets[t] = matched[sample[t]];

  const curve = input.knowledgeCurve ?? true;
  const steps = SCOREBOARD_SETTINGS.length + (curve ? 20 : 0) + 1;
  let done = 0;
  const tick = () => input.onProgress?.(++done / steps);
  const scoreboard = SCOREBOARD_SETTINGS.map((setting) => {
    const outcome = runScoreboard(truthIndex, releaseIndex, originalOfRelease, setting, {
      targets,
    });
    tick();
    return outcome;
  });
  const knowledgeCurve: KnowledgePoint[] = [];
  if (curve) {
    for (let m = 1; m <= 10; m++) {
      const withDates = runScoreboard(
        truthIndex,
        releaseIndex,
        originalOfRelease,
        { m, w: 0, days: 14 },
        { targets },
      );
      tick();
      const withoutDates = runScoreboard(
        truthIndex,
        releaseIndex,
        originalOfRelease,
        { m, w: 0, days: null },
        { targets },
      );
      tick();
      knowledgeCurve.push({
        m,
        withDates: withDates.reidentified,
        withoutDates: withoutDates.reidentified,
      });
    }
  }

  let quasiIdentifiers: QuasiIdentifierRisk | null = null;
  if (release.users.length > 0) {
    const levels = input.levels ?? inferLevels(release.users);
    const qis = input.quasiIdentifiers ?? (['gender', 'age', 'occupation', 'zip'] as const);
    const releasedWithRatings = new Set<number>(releaseUsers.ids);
    const releasedProfiles: UserProfile[] = release.users.filter((user) =>
      releasedWithRatings.has(user.id),
    );
    quasiIdentifiers = quasiIdentifierRisk(releasedProfiles, qis, truth.users, levels);
  }
  tick();
  return {
    targets: targets.length,
    releasedUsers: releaseUsers.size,
    unmatchedUsers: releaseUsers.size - matched.length,
    hasDates: releaseIndex.hasDates,
    scoreboard,
    knowledgeCurve,
    quasiIdentifiers,
  };
}
