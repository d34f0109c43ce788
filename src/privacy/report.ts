/**
 * The privacy report (privacy-report.json) and the release gate; `releaseWithAudit` runs the
 * whole pure pipeline: release → audit → utility → gate (→ presets, for the frontier and the
 * nearest passing preset).
 */
import { popularMovies } from './swap.ts';
import type { Dataset, Ratings } from '../datasets/dataset.ts';
import { auditRelease, type AuditResult } from './audit.ts';
import { digest } from './columns.ts';
import { gateFailures, highestReidentified, type GateResult } from './gate.ts';
import { levelNames } from './demographics.ts';
import type { DpBudget } from './laplace.ts';
import { PRESET_NAMES, presetPolicy, type Policy, type PresetName } from './policy.ts';
import {
  holdoutSplit,
  releaseDataset,
  type ReleaseResult,
  type ReleaseSummary,
} from './release.ts';
import type { MeasuredResearchUtility, ResearchUtility } from './leaderboard.ts';
import type { LeaderboardRun } from './leaderboardRun.ts';
import {
  researchUtilityOf,
  startResearchUtility,
  type LeaderboardMemo,
} from './researchUtility.ts';
import { UtilityFit } from './utilityFit.ts';
import {
  measureUtility,
  utilityAlgorithm,
  utilityTests,
  type UtilityResult,
  type UtilityScores,
  type UtilityTest,
} from './utility.ts';

export type ReleaseFormat = 'ml-1m' | 'ml-latest';

export interface FrontierPoint {
  preset: string;
  passed: boolean;
  /** Highest re-identified share over the five scoreboard settings. */
  maxReidentified: number;
  /** Highest re-identified share over the stronger adversaries. */
  maxReidentifiedStronger: number;
  releasedRatings: number;
  rmse: number | null;
  ndcgAt10: number | null;
  /** Research utility: Kendall τ-b of the leaderboard's nDCG@10 order, released vs untransformed. */
  leaderboardTau: number | null;
}

export interface PrivacyReport {
  kind: 'lenslab-privacy-report';
  version: 1;
  format: ReleaseFormat | null;
  seed: number | null;
  policy: Policy | null;
  summary: ReleaseSummary | null;
  kAnonymity: {
    k: number;
    levels: Record<string, string>;
    suppressed: number;
    minClassSize: number;
    satisfied: boolean;
  } | null;
  audit: AuditResult;
  utility: UtilityResult | null;
  researchUtility: ResearchUtility | null;
  dp: DpBudget | null;
  gate: GateResult;
  frontier: FrontierPoint[];
}

export interface PipelineOptions {
  seed: number;
  format: ReleaseFormat;
  consents?: (userId: number) => boolean;
  /** Evaluate every preset for the privacy–utility frontier (slow: one release per preset). */
  frontier?: boolean;
  /** Measure utility (trains the default model twice); default true. */
  utility?: boolean;
  knowledgeCurve?: boolean;
  onProgress?: (stage: string, fraction: number) => void;
}

export interface PipelineResult {
  release: ReleaseResult;
  /** The dataset as it will be written (no users table in the ml-latest format). */
  published: Dataset;
  report: PrivacyReport;
}

function releaseIdLookup(release: ReleaseResult): {
  releaseIdOf: Map<number, number>;
  liveIdOf: Map<number, number>;
} {
  const releaseIdOf = new Map<number, number>();
  const liveIdOf = new Map<number, number>();
  release.mapping.releaseIds.forEach((releaseId, k) => {
    releaseIdOf.set(release.mapping.userIds[k], releaseId);
    liveIdOf.set(releaseId, release.mapping.userIds[k]);
  });
  return { releaseIdOf, liveIdOf };
}

export interface Evaluated {
  release: ReleaseResult;
  published: Dataset;
  audit: AuditResult;
  utility: UtilityResult | null;
  researchUtility: ResearchUtility | null;
  failures: string[];
  /**
   * Wall time of each stage in seconds; `leaderboard`: the research-utility leaderboard's two
   * sides (on worker threads during the audit in the concurrent pipeline; 0 when not measured).
   */
  seconds: { release: number; audit: number; utility: number; leaderboard: number };
}

/** One policy's outcome, its gate failures and stage seconds from times (ms) t0 ≤ t1 ≤ t2 ≤ now. */
function evaluated(
  outcome: Pick<Evaluated, 'release' | 'published' | 'audit' | 'utility'>,
  leaderboard: MeasuredResearchUtility | null,
  policy: Policy,
  [t0, t1, t2]: [number, number, number],
): Evaluated {
  const utility = (performance.now() - t2) / 1000;
  const failures = gateFailures(outcome.audit, policy);
  return {
    ...outcome,
    researchUtility: leaderboard?.value ?? null,
    failures,
    seconds: {
      release: (t1 - t0) / 1000,
      audit: (t2 - t1) / 1000,
      utility,
      leaderboard: leaderboard?.seconds ?? 0,
    },
  };
}

function publishedDataset(release: ReleaseResult, format: ReleaseFormat): Dataset {
  return format === 'ml-latest' ? { ...release.dataset, users: [] } : release.dataset;
}

function auditOf(
  source: Dataset,
  policy: Policy,
  release: ReleaseResult,
  published: Dataset,
  options: PipelineOptions,
  curve: boolean,
): AuditResult {
  const { liveIdOf } = releaseIdLookup(release);
  options.onProgress?.(`audit (${policy.name})`, 0);
  return auditRelease({
    truth: source,
    release: published,
    originalIdOf: (id) => liveIdOf.get(id),
    targets: policy.gate.targets,
    quasiIdentifiers: policy.demographics.quasiIdentifiers,
    levels: release.kAnonymity.levels,
    // The adversary who knows the policy reads the applied step in the report: the movies it
    // left popular (raters kept) at that step's share, not at the policy's ceiling.
    intactMovies: release.summary.swap
      ? popularMovies(published.ratings, release.summary.swap.popularShare)
      : undefined,
    knowledgeCurve: curve,
    onProgress: (fraction) => options.onProgress?.(`audit (${policy.name})`, fraction),
  });
}

/** Whether the utility can be measured: something held back and something released. */
const measurable = (release: ReleaseResult) =>
  release.heldOut.length > 0 && release.dataset.ratings.length > 0;

/**
 * Release under one policy, audit it, and (optionally) measure utility, all on this thread; no
 * preset search. `evaluatePolicyConcurrently` gives the same result faster.
 */
export function evaluatePolicy(
  source: Dataset,
  policy: Policy,
  options: PipelineOptions,
  withUtility: boolean,
  curve: boolean,
): Evaluated {
  const t0 = performance.now();
  options.onProgress?.(`release (${policy.name})`, 0);
  const release = releaseDataset(source, policy, {
    seed: options.seed,
    consents: options.consents,
  });
  const published = publishedDataset(release, options.format);
  const t1 = performance.now();
  const audit = auditOf(source, policy, release, published, options, curve);
  const t2 = performance.now();
  let utility: UtilityResult | null = null;
  let researchUtility: MeasuredResearchUtility | null = null;
  if (withUtility && measurable(release)) {
    options.onProgress?.(`utility (${policy.name})`, 0);
    const { releaseIdOf } = releaseIdLookup(release);
    utility = measureUtility({
      released: release.dataset.ratings,
      untransformed: release.untransformed,
      heldOut: release.heldOut,
      scale: source.scale,
      releaseIdOf: (id) => releaseIdOf.get(id),
      seed: options.seed,
      algorithm: policy.utility.algorithm,
    });
    researchUtility = researchUtilityOf(release, source.scale, options.seed);
  }
  return evaluated({ release, published, audit, utility }, researchUtility, policy, [t0, t1, t2]);
}

/**
 * Utility scores already measured in one pipeline run, by a digest of what they depend on (the
 * training ratings, the model and seed, the test): presets that hold back the same ratings, or
 * release the same ratings (as naive and movielens do when every member has enough ratings), are
 * not fitted again.
 */
type UtilityMemo = Map<string, { test: string; scores: Promise<UtilityScores> }>;

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

/**
 * Scores of a model trained on `train` for `test`: from the memo when this run already measured
 * them, else from `fit` (started early by the caller) or, when the memo had the training data
 * with another test, from a fit started now.
 */
function memoizedScores(
  memo: UtilityMemo,
  trainKey: string,
  fit: UtilityFit | null,
  test: UtilityTest,
  startFit: () => UtilityFit,
): Promise<UtilityScores> {
  const testKey = testDigest(test);
  const known = memo.get(trainKey);
  if (known && known.test === testKey) return known.scores;
  const scores = (fit ?? startFit()).score(test);
  memo.set(trainKey, { test: testKey, scores });
  return scores;
}

/**
 * `evaluatePolicy` with the utility's two model fits on worker threads: the model on the
 * untransformed data starts as soon as the held-back ratings are set apart (before the release's
 * transforms), the model on the released data as soon as the release is made, while this thread
 * audits it. Same result as evaluatePolicy; `seconds.utility` is the wait for the fits after the
 * audit.
 */
export async function evaluatePolicyConcurrently(
  source: Dataset,
  policy: Policy,
  options: PipelineOptions,
  withUtility: boolean,
  curve: boolean,
  memos: { utility: UtilityMemo; leaderboard: LeaderboardMemo } = {
    utility: new Map(),
    leaderboard: new Map(),
  },
): Promise<Evaluated> {
  const memo = memos.utility;
  const t0 = performance.now();
  options.onProgress?.(`release (${policy.name})`, 0);
  const consents = { seed: options.seed, consents: options.consents };
  const split = holdoutSplit(source, policy, consents);
  const start = (train: Ratings) =>
    new UtilityFit(train, policy.utility.algorithm, source.scale, options.seed);
  const fits: Array<UtilityFit | LeaderboardRun> = [];
  try {
    const measure = withUtility && split.heldOut.length > 0;
    const algorithm = policy.utility.algorithm;
    // A fit starts early unless this run already has scores for the same training data.
    const startUnlessKnown = (train: Ratings) => {
      const key = trainDigest(train, algorithm, options.seed);
      const fit = memo.has(key) ? null : start(train);
      if (fit) fits.push(fit);
      return { key, fit, train };
    };
    const untransformedFit = measure ? startUnlessKnown(split.untransformed) : null;
    const release = releaseDataset(source, policy, { ...consents, split });
    const releasedFit =
      untransformedFit && measurable(release) ? startUnlessKnown(release.dataset.ratings) : null;
    // The leaderboard's two sides run on worker threads during the audit.
    const leaderboard = releasedFit
      ? startResearchUtility(release, source.scale, options.seed, memos.leaderboard, fits)
      : null;
    const published = publishedDataset(release, options.format);
    const t1 = performance.now();
    const audit = auditOf(source, policy, release, published, options, curve);
    const t2 = performance.now();
    let utility: UtilityResult | null = null;
    if (untransformedFit && releasedFit) {
      options.onProgress?.(`utility (${policy.name})`, 0);
      const { releaseIdOf } = releaseIdLookup(release);
      const tests = utilityTests(release.heldOut, (id) => releaseIdOf.get(id), options.seed);
      const scoresOf = (
        started: NonNullable<typeof releasedFit>,
        test: UtilityTest,
      ): Promise<UtilityScores> =>
        memoizedScores(memo, started.key, started.fit, test, () => {
          const fit = start(started.train);
          fits.push(fit);
          return fit;
        });
      const [released, untransformed] = await Promise.all([
        scoresOf(releasedFit, tests.released),
        scoresOf(untransformedFit, tests.untransformed),
      ]);
      utility = {
        algorithm: utilityAlgorithm(policy.utility.algorithm),
        testRatings: tests.testRatings,
        rankingUsers: tests.rankingUsers,
        released,
        untransformed,
      };
    }
    const researchUtility = await leaderboard;
    return evaluated({ release, published, audit, utility }, researchUtility, policy, [t0, t1, t2]);
  } finally {
    await Promise.all(fits.map((fit) => fit.cancel()));
  }
}

function frontierPoint(name: string, evaluated: Evaluated): FrontierPoint {
  return {
    preset: name,
    passed: evaluated.failures.length === 0,
    maxReidentified: highestReidentified(evaluated.audit.scoreboard),
    releasedRatings: evaluated.release.summary.releasedRatings,
    maxReidentifiedStronger: highestReidentified(evaluated.audit.strongerAdversaries),
    rmse: evaluated.utility?.released.rmse ?? null,
    ndcgAt10: evaluated.utility?.released.ndcgAt10 ?? null,
    leaderboardTau: evaluated.researchUtility?.tau.ndcgAt10 ?? null,
  };
}

/**
 * The presets to judge beside the main policy, as this policy sees them (its gate, its utility
 * model): none unless the gate failed (for the nearest passing preset) or the frontier is asked
 * for. `preset` is null for the one that is the main policy itself (its evaluation is reused);
 * `frontierUtility` says whether its utility is measured (for the frontier only).
 */
function presetRuns(
  policy: Policy,
  options: PipelineOptions,
  main: Evaluated,
): Array<{ name: string; preset: Policy | null; frontierUtility: boolean }> {
  if (options.frontier !== true && main.failures.length === 0) return [];
  const frontierUtility = (options.utility ?? true) && (options.frontier ?? false);
  return PRESET_NAMES.map((name) => {
    const preset: Policy = {
      ...presetPolicy(name as PresetName),
      gate: policy.gate,
      utility: policy.utility,
    };
    const isMain = JSON.stringify(preset) === JSON.stringify(policy);
    return { name, preset: isMain ? null : preset, frontierUtility };
  });
}

function assembleReport(
  policy: Policy,
  options: PipelineOptions,
  main: Evaluated,
  presets: Array<[string, Evaluated]>,
): PipelineResult {
  const frontier: FrontierPoint[] = [];
  let nearestPassingPreset: string | null = null;
  for (const [name, evaluated] of presets) {
    const point = frontierPoint(name, evaluated);
    frontier.push(point);
    if (point.passed && nearestPassingPreset === null && name !== policy.name)
      nearestPassingPreset = name;
  }
  const k = main.release.kAnonymity;
  const report: PrivacyReport = {
    kind: 'lenslab-privacy-report',
    version: 1,
    format: options.format,
    seed: options.seed,
    policy,
    summary: main.release.summary,
    kAnonymity:
      options.format === 'ml-latest'
        ? null
        : {
            k: policy.demographics.k,
            levels: levelNames(k.levels),
            suppressed: k.suppressed,
            minClassSize: k.minClassSize,
            satisfied: k.satisfied,
          },
    audit: main.audit,
    utility: main.utility,
    researchUtility: main.researchUtility,
    dp: main.release.movieStats?.budget ?? null,
    gate: {
      passed: main.failures.length === 0,
      thresholds: {
        maxReidentified: policy.gate.maxReidentified,
        maxReidentifiedStronger: policy.gate.maxReidentifiedStronger,
        k: policy.demographics.k,
      },
      failures: main.failures,
      nearestPassingPreset: main.failures.length > 0 ? nearestPassingPreset : null,
    },
    frontier,
  };
  return { release: main.release, published: main.published, report };
}

/**
 * The whole pure pipeline on this thread: release under the policy, audit it, measure utility,
 * apply the gate. When the gate fails (or the frontier is asked for), the presets are evaluated
 * too. `releaseWithAuditConcurrently` gives the same result faster.
 */
export function releaseWithAudit(
  source: Dataset,
  policy: Policy,
  options: PipelineOptions,
): PipelineResult {
  const withUtility = options.utility ?? true;
  const main = evaluatePolicy(source, policy, options, withUtility, options.knowledgeCurve ?? true);
  const presets = presetRuns(policy, options, main).map(
    ({ name, preset, frontierUtility }): [string, Evaluated] => [
      name,
      preset ? evaluatePolicy(source, preset, options, frontierUtility, false) : main,
    ],
  );
  return assembleReport(policy, options, main, presets);
}

/**
 * `releaseWithAudit` with the utility model fits on worker threads, concurrent with the release
 * and its audit (see evaluatePolicyConcurrently): the same report, in less wall time.
 */
export async function releaseWithAuditConcurrently(
  source: Dataset,
  policy: Policy,
  options: PipelineOptions,
): Promise<PipelineResult> {
  const withUtility = options.utility ?? true;
  const curve = options.knowledgeCurve ?? true;
  const memo = { utility: new Map(), leaderboard: new Map() };
  const main = await evaluatePolicyConcurrently(source, policy, options, withUtility, curve, memo);
  const presets: Array<[string, Evaluated]> = [];
  for (const { name, preset, frontierUtility } of presetRuns(policy, options, main)) {
    const evaluated = preset
      ? await evaluatePolicyConcurrently(source, preset, options, frontierUtility, false, memo)
      : main;
    presets.push([name, evaluated]);
  }
  return assembleReport(policy, options, main, presets);
}

/** A report for `lenslab audit` of any pair of datasets (no policy: default thresholds). */
export function auditReport(
  audit: AuditResult,
  thresholds = { maxReidentified: 0.05, maxReidentifiedStronger: 0.1, k: 5 },
  researchUtility: ResearchUtility | null = null,
): PrivacyReport {
  const failures = gateFailures(audit, {
    gate: {
      maxReidentified: thresholds.maxReidentified,
      maxReidentifiedStronger: thresholds.maxReidentifiedStronger,
      targets: 500,
    },
    demographics: { k: thresholds.k } as Policy['demographics'],
  });
  return {
    kind: 'lenslab-privacy-report',
    version: 1,
    format: null,
    seed: null,
    policy: null,
    summary: null,
    kAnonymity: null,
    audit,
    utility: null,
    researchUtility,
    dp: null,
    gate: { passed: failures.length === 0, thresholds, failures, nearestPassingPreset: null },
    frontier: [],
  };
}
