/**
 * The privacy report (privacy-report.json) and the release gate; `releaseWithAudit` runs the
 * whole pure pipeline: release → audit → utility → gate (→ presets, for the frontier and the
 * nearest passing preset).
 */
import { popularMovies } from './swap.ts';
import type { Dataset, Ratings } from '../datasets/dataset.ts';
import { auditReleaseRequest, type AuditResult, type ReleaseAuditRequest } from './audit.ts';
import { gateFailures, highestReidentified, type GateResult } from './gate.ts';
import { levelNames } from './demographics.ts';
import type { DpBudget } from './laplace.ts';
import { PRESET_NAMES, presetPolicy, type Policy, type PresetName } from './policy.ts';
import {
  holdoutSplit,
  releaseDataset,
  releaseIdsOfMembers,
  type ReleaseResult,
  type ReleaseSummary,
} from './release.ts';
import type { MeasuredResearchUtility, ResearchUtility } from './leaderboard.ts';
import { PipelineRun } from './pipelineRun.ts';
import { RunProgress, type StageReporter } from './runProgress.ts';
import { researchUtilityOf, startResearchUtility } from './researchUtility.ts';
import { measureUtility, utilityAlgorithm, utilityTests, type UtilityResult } from './utility.ts';

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
  /**
   * The stage started last (`release (default)`, `audit (naive)`, …; stages of several policies
   * overlap in the concurrent pipeline) and the fraction of the whole run done, never less than
   * the one before (runProgress.ts).
   */
  onProgress?: (stage: string, fraction: number) => void;
}

export interface PipelineResult {
  release: ReleaseResult;
  /** The dataset as it will be written (no users table in the ml-latest format). */
  published: Dataset;
  report: PrivacyReport;
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

/** One policy's outcome with its gate failures and the seconds of its stages. */
function evaluated(
  outcome: Pick<Evaluated, 'release' | 'published' | 'audit' | 'utility'>,
  leaderboard: MeasuredResearchUtility | null,
  policy: Policy,
  seconds: Omit<Evaluated['seconds'], 'leaderboard'>,
): Evaluated {
  return {
    ...outcome,
    researchUtility: leaderboard?.value ?? null,
    failures: gateFailures(outcome.audit, policy),
    seconds: { ...seconds, leaderboard: leaderboard?.seconds ?? 0 },
  };
}

const secondsSince = (start: number) => (performance.now() - start) / 1000;

function publishedDataset(release: ReleaseResult, format: ReleaseFormat): Dataset {
  return format === 'ml-latest' ? { ...release.dataset, users: [] } : release.dataset;
}

/** What the audit of a release made under `policy` needs (on this thread or the auditor's). */
function auditRequest(
  policy: Policy,
  release: ReleaseResult,
  published: Dataset,
  curve: boolean,
): ReleaseAuditRequest {
  return {
    release: published,
    mapping: release.mapping,
    targets: policy.gate.targets,
    quasiIdentifiers: policy.demographics.quasiIdentifiers,
    levels: release.kAnonymity.levels,
    // The adversary who knows the policy reads the applied step in the report: the movies it
    // left popular (raters kept) at that step's share, not at the policy's ceiling.
    intactMovies: release.summary.swap
      ? Int32Array.from(popularMovies(published.ratings, release.summary.swap.popularShare))
      : null,
    knowledgeCurve: curve,
  };
}

/** The audit stage's progress callback. */
function auditProgress(report: StageReporter): (fraction: number) => void {
  report('audit', 0);
  return (fraction) => report('audit', fraction);
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
  report: StageReporter = new RunProgress(options.onProgress).evaluation(policy.name),
): Evaluated {
  const t0 = performance.now();
  report('release');
  const release = releaseDataset(source, policy, {
    seed: options.seed,
    consents: options.consents,
  });
  const published = publishedDataset(release, options.format);
  const t1 = performance.now();
  const request = auditRequest(policy, release, published, curve);
  const audit = auditReleaseRequest(source, request, auditProgress(report));
  const t2 = performance.now();
  let utility: UtilityResult | null = null;
  let researchUtility: MeasuredResearchUtility | null = null;
  if (withUtility && measurable(release)) {
    report('utility');
    const releaseIdOf = releaseIdsOfMembers(release);
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
  report('done');
  return evaluated({ release, published, audit, utility }, researchUtility, policy, {
    release: (t1 - t0) / 1000,
    audit: (t2 - t1) / 1000,
    utility: secondsSince(t2),
  });
}

/**
 * `evaluatePolicy` with its work on worker threads: the utility model on the untransformed data
 * starts as soon as the held-back ratings are set apart (before the release's transforms), the
 * model on the released data and the leaderboard as soon as the release is made, and the audit
 * runs on the run's auditor thread. The same result as evaluatePolicy; `seconds.audit` is the
 * audit's own time on its thread, `seconds.utility` the wait for the fits after it.
 *
 * Everything up to the audit runs on this thread before the function first awaits: a caller
 * that starts several evaluations on one PipelineRun without awaiting each makes their releases
 * one after the other while the workers audit and measure the ones already made. Without a run,
 * it uses its own and ends its workers.
 */
export async function evaluatePolicyConcurrently(
  source: Dataset,
  policy: Policy,
  options: PipelineOptions,
  withUtility: boolean,
  curve: boolean,
  run?: PipelineRun,
): Promise<Evaluated> {
  if (!run) {
    const own = new PipelineRun(source, new RunProgress(options.onProgress));
    try {
      return await evaluatePolicyConcurrently(source, policy, options, withUtility, curve, own);
    } finally {
      await own.close();
    }
  }
  const t0 = performance.now();
  const report = run.progress.evaluation(policy.name);
  report('release');
  const consents = { seed: options.seed, consents: options.consents };
  const split = holdoutSplit(source, policy, consents);
  const fit = (train: Ratings) =>
    run.fit(train, policy.utility.algorithm, source.scale, options.seed);
  const untransformedFit =
    withUtility && split.heldOut.length > 0 ? fit(split.untransformed) : null;
  const release = releaseDataset(source, policy, { ...consents, split });
  const releasedFit = untransformedFit && measurable(release) ? fit(release.dataset.ratings) : null;
  const leaderboard = releasedFit
    ? startResearchUtility(release, source.scale, options.seed, run.leaderboard, run.workers)
    : null;
  const published = publishedDataset(release, options.format);
  const releaseSeconds = secondsSince(t0);
  const auditing = run.audit(
    auditRequest(policy, release, published, curve),
    auditProgress(report),
  );
  const { audit, seconds: auditSeconds } = await auditing;
  const t2 = performance.now();
  let utility: UtilityResult | null = null;
  if (untransformedFit && releasedFit) {
    report('utility');
    const releaseIdOf = releaseIdsOfMembers(release);
    const tests = utilityTests(release.heldOut, (id) => releaseIdOf.get(id), options.seed);
    const [released, untransformed] = await Promise.all([
      releasedFit.score(tests.released),
      untransformedFit.score(tests.untransformed),
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
  report('done');
  return evaluated({ release, published, audit, utility }, researchUtility, policy, {
    release: releaseSeconds,
    audit: auditSeconds,
    utility: secondsSince(t2),
  });
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
 * model), when the frontier is asked for or the gate failed (for the nearest passing preset).
 * `preset` is null for the one that is the main policy itself (its evaluation is reused);
 * `frontierUtility` says whether its utility is measured (for the frontier only).
 */
function presetRuns(
  policy: Policy,
  options: PipelineOptions,
): Array<{ name: string; preset: Policy | null; frontierUtility: boolean }> {
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

/** The evaluations a run plans: the main policy, and the presets other than it with the frontier. */
function plannedEvaluations(policy: Policy, options: PipelineOptions): number {
  if (options.frontier !== true) return 1;
  return 1 + presetRuns(policy, options).filter(({ preset }) => preset !== null).length;
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
  const progress = new RunProgress(options.onProgress, plannedEvaluations(policy, options));
  const curve = options.knowledgeCurve ?? true;
  const main = evaluatePolicy(
    source,
    policy,
    options,
    withUtility,
    curve,
    progress.evaluation(policy.name),
  );
  const judged = options.frontier === true || main.failures.length > 0;
  if (judged) progress.plan(plannedEvaluations(policy, { ...options, frontier: true }));
  const presets = (judged ? presetRuns(policy, options) : []).map(
    ({ name, preset, frontierUtility }): [string, Evaluated] => [
      name,
      preset
        ? evaluatePolicy(source, preset, options, frontierUtility, false, progress.evaluation(name))
        : main,
    ],
  );
  return assembleReport(policy, options, main, presets);
}

/**
 * `releaseWithAudit` with the audits and utility measures on worker threads (see
 * evaluatePolicyConcurrently): the same report, in less wall time. With the frontier asked for,
 * the presets' releases follow the main one at once, while the workers audit and measure.
 */
export async function releaseWithAuditConcurrently(
  source: Dataset,
  policy: Policy,
  options: PipelineOptions,
): Promise<PipelineResult> {
  const withUtility = options.utility ?? true;
  const curve = options.knowledgeCurve ?? true;
  const progress = new RunProgress(options.onProgress, plannedEvaluations(policy, options));
  const run = new PipelineRun(source, progress);
  const startPresets = () =>
    presetRuns(policy, options).map(({ name, preset, frontierUtility }) => {
      const evaluation = preset
        ? evaluatePolicyConcurrently(source, preset, options, frontierUtility, false, run)
        : null;
      // Awaited below; a failure before then must not be an unhandled rejection.
      evaluation?.catch(() => undefined);
      return { name, evaluation };
    });
  try {
    const mainEvaluation = evaluatePolicyConcurrently(
      source,
      policy,
      options,
      withUtility,
      curve,
      run,
    );
    mainEvaluation.catch(() => undefined);
    let presets = options.frontier === true ? startPresets() : null;
    const main = await mainEvaluation;
    if (!presets && main.failures.length > 0) {
      progress.plan(plannedEvaluations(policy, { ...options, frontier: true }));
      presets = startPresets();
    }
    presets ??= [];
    const evaluated: Array<[string, Evaluated]> = [];
    for (const { name, evaluation } of presets) evaluated.push([name, (await evaluation) ?? main]);
    return assembleReport(policy, options, main, evaluated);
  } finally {
    await run.close();
  }
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
