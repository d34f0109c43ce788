/**
 * The audit of a release against the truth: the scoreboard attack in all five settings and
 * against the stronger adversaries, the knowledge curve, quasi-identifier risk, and (for releases
 * made here) the utility measures.
 */
import type { Dataset, UserProfile } from '../datasets/dataset.ts';
import type { Levels } from './demographics.ts';
import type { QuasiIdentifier } from './policy.ts';
import { inferLevels, quasiIdentifierRisk, type QuasiIdentifierRisk } from './qiRisk.ts';
import { Random } from '../util/random.ts';
import {
  SCOREBOARD_SEED,
  SCOREBOARD_SETTINGS,
  STRONGER_SETTINGS,
  indexRelease,
  indexTruth,
  type ScoreboardOutcome,
  type ScoreboardSetting,
} from './scoreboard.ts';
import { RecordHolding, knowledgeCurve, runScoreboard, sampleTargets } from './scoreboardRuns.ts';
import { runPublicKnowledge } from './publicKnowledge.ts';

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
  /** Movie ids the policy leaves most intact, for the policy-aware adversary (see scoreboard.ts). */
  intactMovies?: ReadonlySet<number>;
  /** Compute the re-identification curve m = 1…20 (KNOWLEDGE_CURVE_M; default true). */
  knowledgeCurve?: boolean;
  onProgress?: (fraction: number) => void;
}

/**
 * The audit of a release made here, as plain data (so that another thread can run it, see
 * auditor.ts): the release as published, its pseudonyms' live ids, and the policy's settings.
 */
export interface ReleaseAuditRequest {
  release: Dataset;
  /** Release id mapping.releaseIds[k] stands for live id mapping.userIds[k]. */
  mapping: { releaseIds: Int32Array; userIds: Int32Array };
  targets: number | 'all';
  quasiIdentifiers: readonly QuasiIdentifier[];
  levels: Levels;
  /** Movie ids the policy left most intact (AuditInput.intactMovies), null when none. */
  intactMovies: Int32Array | null;
  knowledgeCurve: boolean;
}

/** auditRelease for a ReleaseAuditRequest against the truth it was released from. */
export function auditReleaseRequest(
  truth: Dataset,
  request: ReleaseAuditRequest,
  onProgress?: (fraction: number) => void,
): AuditResult {
  const liveIdOf = new Map<number, number>();
  request.mapping.releaseIds.forEach((releaseId, k) =>
    liveIdOf.set(releaseId, request.mapping.userIds[k]),
  );
  return auditRelease({
    truth,
    release: request.release,
    originalIdOf: (id) => liveIdOf.get(id),
    targets: request.targets,
    quasiIdentifiers: request.quasiIdentifiers,
    levels: request.levels,
    intactMovies: request.intactMovies ? new Set(request.intactMovies) : undefined,
    knowledgeCurve: request.knowledgeCurve,
    onProgress,
  });
}

export interface AuditResult {
  targets: number;
  releasedUsers: number;
  /** Release users whose original id is unknown to the truth (cannot be targets). */
  unmatchedUsers: number;
  hasDates: boolean;
  scoreboard: ScoreboardOutcome[];
  /** The adversaries stronger than the five (STRONGER_SETTINGS), gated separately. */
  strongerAdversaries: ScoreboardOutcome[];
  /**
   * The public-knowledge adversary (publicKnowledge.ts), gated like the five; null when the
   * truth carries no public knowledge (a research dataset's files).
   */
  publicKnowledge: ScoreboardOutcome | null;
  knowledgeCurve: KnowledgePoint[];
  quasiIdentifiers: QuasiIdentifierRisk | null;
  /**
   * Mean share of a released record's ratings that are a target's own, for a record drawn at
   * random (another member's): what a wrong match's `wrongMatchHeld` compares with.
   */
  heldByChance: number;
}

/** Every attack outcome of an audit in the order tables show them: five, public, stronger. */
export function auditOutcomes(audit: AuditResult): ScoreboardOutcome[] {
  return [
    ...audit.scoreboard,
    ...(audit.publicKnowledge ? [audit.publicKnowledge] : []),
    ...audit.strongerAdversaries,
  ];
}

/** The m of the knowledge curve: every m up to 10, then every second one up to 20. */
export const KNOWLEDGE_CURVE_M = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16, 18, 20];

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

  const holding = new RecordHolding(truthIndex, release.ratings, originalOfRelease);
  const heldByChance = chanceHeld(holding, targets, releaseUsers.size);
  const curve = input.knowledgeCurve ?? true;
  const steps = SCOREBOARD_SETTINGS.length + STRONGER_SETTINGS.length + (curve ? 2 : 0) + 1;
  let done = 0;
  const tick = () => input.onProgress?.(++done / steps);
  const attack = (setting: ScoreboardSetting): ScoreboardOutcome => {
    const outcome = runScoreboard(truthIndex, releaseIndex, originalOfRelease, setting, {
      targets,
      intactMovies: input.intactMovies,
      holding,
    });
    tick();
    return outcome;
  };
  const scoreboard = SCOREBOARD_SETTINGS.map(attack);
  const strongerAdversaries = STRONGER_SETTINGS.map(attack);
  const publicKnowledge = truth.publicKnowledge
    ? runPublicKnowledge(
        releaseIndex,
        Int32Array.from(originalOfRelease, (u) => (u < 0 ? -1 : truth.ratings.userIds.ids[u])),
        truth.publicKnowledge,
        holding,
      )
    : null;
  // The two curves, with and without dates, each from one draw per target (knowledgeCurve).
  const curveOf = (days: number | null) => {
    const shares = knowledgeCurve(
      truthIndex,
      releaseIndex,
      originalOfRelease,
      targets,
      KNOWLEDGE_CURVE_M,
      days,
      holding,
    );
    tick();
    return shares;
  };
  let knowledgeCurvePoints: KnowledgePoint[] = [];
  if (curve) {
    const withDates = curveOf(14);
    const withoutDates = curveOf(null);
    knowledgeCurvePoints = KNOWLEDGE_CURVE_M.map((m, k) => ({
      m,
      withDates: withDates[k],
      withoutDates: withoutDates[k],
    }));
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
    strongerAdversaries,
    publicKnowledge,
    knowledgeCurve: knowledgeCurvePoints,
    quasiIdentifiers,
    heldByChance,
  };
}

/** Mean share of another released record's ratings (drawn at random) that are each target's own. */
function chanceHeld(holding: RecordHolding, targets: Int32Array, users: number): number {
  if (users < 2 || targets.length === 0) return 0;
  const random = new Random(SCOREBOARD_SEED);
  const nothingKnown = {
    movieIds: new Int32Array(0),
    ratings: new Float32Array(0),
    days: new Float64Array(0),
  };
  let sum = 0;
  for (const target of targets) {
    const other = (target + 1 + random.int(users - 1)) % users;
    sum += holding.share(other, target, nothingKnown);
  }
  return sum / targets.length;
}
