/**
 * Research releases, the I/O side: load the members who may be released (from the database or
 * from dataset files), run the pure pipeline of src/privacy, and write the folder — or, when the
 * gate refuses, only the report. The console starts releases as background jobs (releaseJobs.ts,
 * `releaseTask` below runs on the worker thread).
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fromWireDataset, type Dataset, type WireDataset } from '../datasets/dataset.ts';
import { writeMl1m } from '../datasets/ml1m.ts';
import { writeMlLatest } from '../datasets/mlLatestWriter.ts';
import type { Db } from '../db/connection.ts';
import {
  describeTasteChoice,
  gatedOutcomes,
  generateReadme,
  movieStatsCsv,
  releaseWithAudit,
  releaseWithAuditConcurrently,
  renderReportHtml,
  reorderedByMetric,
  surveyCsv,
  surveyFileName,
  type PipelineOptions,
  type PipelineResult,
  type Policy,
  type PrivacyReport,
  type ReleaseFormat,
} from '../privacy/index.ts';
import type { JobReporter } from './backgroundJobs.ts';
import { loadDataset } from './datasetLoading.ts';
import { loadPublicKnowledge } from './publicKnowledgeSource.ts';
import { releasableSurveys } from './surveyResults.ts';

/** A release request a user got wrong (output folder, mapping path). */
export class ReleaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReleaseError';
  }
}

/**
 * Every file a release may write (and an --overwrite release replaces), besides the answers of
 * released surveys (SURVEY_FILE).
 */
export const RELEASE_FILES = [
  'ratings.dat',
  'users.dat',
  'movies.dat',
  'ratings.csv',
  'movies.csv',
  'tags.dat',
  'tags.csv',
  'movie-stats.csv',
  'README',
  'privacy-report.json',
  'privacy-report.html',
] as const;

/** A released survey's answers file (policy surveys.release), survey-<id>.csv. */
export const SURVEY_FILE = /^survey-\d+\.csv$/;

/** The release files in a folder, RELEASE_FILES first, then the survey files by name. */
function releaseFilesIn(dir: string): string[] {
  const surveys = readdirSync(dir)
    .filter((name) => SURVEY_FILE.test(name))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return [...RELEASE_FILES.filter((name) => existsSync(join(dir, name))), ...surveys];
}

export const REPORT_FILES = ['privacy-report.json', 'privacy-report.html'] as const;

/** The source of a release: every member's data, and who agreed to research use. */
export interface ReleaseSource {
  dataset: Dataset;
  consents: (userId: number) => boolean;
}

/**
 * Loads the database for a release. Members imported from a research dataset count as consenting
 * (their `research_consent` is 1 on import); members who signed up gave their own answer. The
 * answers of closed surveys whose statement allows a release come along (released only when
 * the policy says so: releaseSurveys.ts), and what the site shows anyone of its members (the
 * public-knowledge adversary's knowledge: publicKnowledgeSource.ts).
 */
export async function loadReleaseSource(
  db: Db,
): Promise<ReleaseSource & { consentingIds: Int32Array }> {
  const dataset = await loadDataset(db);
  const surveys = await releasableSurveys(db);
  if (surveys.length > 0) dataset.surveys = surveys;
  dataset.publicKnowledge = await loadPublicKnowledge(db, dataset.ratings, dataset.movies);
  const rows = await db.kysely
    .selectFrom('users')
    .select(['id'])
    .where('research_consent', '=', 1)
    .execute();
  const consentingIds = Int32Array.from(rows, (row) => row.id);
  const consenting = new Set(consentingIds);
  return { dataset, consents: (id) => consenting.has(id), consentingIds };
}

/** Refuses an output folder that holds files (unless overwrite) and a mapping file inside it. */
export function checkReleaseTarget(out: string, overwrite: boolean, keepMapping?: string): void {
  if (existsSync(out)) {
    if (!statSync(out).isDirectory())
      throw new ReleaseError(`--out ${out} is a file, not a folder`);
    if (!overwrite && readdirSync(out).length > 0)
      throw new ReleaseError(`--out ${out} is not empty (add --overwrite to write into it)`);
  }
  if (keepMapping) {
    const path = relative(resolve(out), resolve(keepMapping));
    if (path === '' || (!path.startsWith('..') && !isAbsolute(path))) {
      throw new ReleaseError(
        `--keep-mapping ${keepMapping} is inside the release folder: the mapping must never be published with it`,
      );
    }
    if (existsSync(keepMapping) && !overwrite)
      throw new ReleaseError(
        `--keep-mapping ${keepMapping} already exists (add --overwrite to replace it)`,
      );
  }
}

export interface WriteOptions {
  out: string;
  overwrite: boolean;
  keepMapping?: string;
}

export interface WriteSummary {
  out: string;
  written: string[];
  mapping: string | null;
  warnings: string[];
}

function writeReports(out: string, report: PrivacyReport): string[] {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'privacy-report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(out, 'privacy-report.html'), renderReportHtml(report));
  return [...REPORT_FILES];
}

/**
 * Writes a pipeline result. A refused release writes only the report. The mapping is written
 * only when asked, as CSV `release_id,user_id`, mode 0600, with a warning.
 */
export function writeRelease(result: PipelineResult, options: WriteOptions): WriteSummary {
  const { out } = options;
  mkdirSync(out, { recursive: true });
  if (options.overwrite)
    for (const name of releaseFilesIn(out)) rmSync(join(out, name), { force: true });
  const { report, published, release } = result;
  if (!report.gate.passed)
    return { out, written: writeReports(out, report), mapping: null, warnings: [] };
  const format = report.format ?? 'ml-1m';
  const written: string[] = [];
  if (format === 'ml-1m') {
    writeMl1m(published, out);
    written.push('ratings.dat', 'users.dat', 'movies.dat', ...(published.tags ? ['tags.dat'] : []));
  } else {
    writeMlLatest(published, out);
    written.push('ratings.csv', 'movies.csv', ...(published.tags ? ['tags.csv'] : []));
  }
  for (const survey of published.surveys ?? []) {
    writeFileSync(join(out, surveyFileName(survey.id)), surveyCsv(survey));
    written.push(surveyFileName(survey.id));
  }
  if (release.movieStats) {
    writeFileSync(join(out, 'movie-stats.csv'), movieStatsCsv(release.movieStats));
    written.push('movie-stats.csv');
  }
  writeFileSync(join(out, 'README'), generateReadme(published, report, format));
  written.push('README');
  written.push(...writeReports(out, report));
  const warnings: string[] = [];
  let mapping: string | null = null;
  if (options.keepMapping) {
    mapping = options.keepMapping;
    mkdirSync(dirname(mapping), { recursive: true });
    const lines = ['release_id,user_id'];
    release.mapping.releaseIds.forEach((releaseId, k) =>
      lines.push(`${releaseId},${release.mapping.userIds[k]}`),
    );
    rmSync(mapping, { force: true });
    writeFileSync(mapping, `${lines.join('\n')}\n`, { mode: 0o600 });
    chmodSync(mapping, 0o600);
    warnings.push(
      `${mapping} links release ids to live member ids: it re-identifies everyone in the release. Keep it private, never publish it, and delete it after the audit.`,
    );
  }
  return { out, written, mapping, warnings };
}

/** Runs the pure pipeline on a source. */
export function runRelease(
  source: ReleaseSource,
  policy: Policy,
  options: Omit<PipelineOptions, 'consents'>,
): PipelineResult {
  return releaseWithAudit(source.dataset, policy, { ...options, consents: source.consents });
}

/** runRelease with the utility model fits on worker threads (the same result, sooner). */
export function runReleaseConcurrently(
  source: ReleaseSource,
  policy: Policy,
  options: Omit<PipelineOptions, 'consents'>,
): Promise<PipelineResult> {
  return releaseWithAuditConcurrently(source.dataset, policy, {
    ...options,
    consents: source.consents,
  });
}

// ---- console releases (background jobs, see releaseJobs.ts) ----------------------------------

export interface ReleaseTaskInput {
  /** A preset's policy or one of the operator's (releasePolicies.ts), already validated. */
  policy: Policy;
  format: ReleaseFormat;
  seed: number;
  /** The folder to write (the console's releases folder; never a mapping). */
  out: string;
  dataset: WireDataset;
  /** Ids of the members who agreed to research use. */
  consenting: Int32Array;
}

/**
 * Runs on a worker thread (BackgroundJob): a release under the given policy, written to `out`
 * (only the reports when the gate refuses). Never writes the mapping to live ids.
 */
export function releaseTask(input: ReleaseTaskInput, report: JobReporter): string[] {
  const consenting = new Set(input.consenting);
  const source: ReleaseSource = {
    dataset: fromWireDataset(input.dataset),
    consents: (id) => consenting.has(id),
  };
  const result = runRelease(source, input.policy, {
    seed: input.seed,
    format: input.format,
    frontier: true,
    onProgress: (stage, fraction) => report(fraction, stage),
  });
  report(1, 'writing the files');
  return writeRelease(result, { out: input.out, overwrite: false }).written;
}

/** What the console shows of a written release, read from its privacy-report.json. */
export interface ReleaseOutcome {
  passed: boolean;
  failures: string[];
  nearestPassingPreset: string | null;
  policy: string | null;
  format: ReleaseFormat | null;
  seed: number | null;
  /**
   * Re-identified and wrongly matched shares of the targets for every adversary the gate judges
   * (the five scoreboard settings, public knowledge, the stronger ones) and the gate's limit for
   * each (null in a report written before the limits were recorded).
   */
  adversaries: Array<{
    setting: string;
    reidentified: number;
    wrongMatch: number;
    limit: number | null;
  }>;
  releasedUsers: number | null;
  releasedRatings: number | null;
  releasedMovies: number | null;
  /**
   * The taste model the swap dealt by with each candidate's held-out RMSE, when the policy let
   * the release choose among them (null otherwise, and in older reports).
   */
  tasteModel: string | null;
  /**
   * What the release keeps for research (null when no ratings were held back to measure it):
   * the utility model's RMSE change and share of nDCG@10 kept, the leaderboard's τ per metric
   * and the pairs of algorithms it orders otherwise than the true data.
   */
  utility: {
    rmseChange: number;
    ndcgKept: number;
    tau: { rmse: number; ndcgAt10: number } | null;
    reordered: string[];
  } | null;
  /** The files in the folder (of RELEASE_FILES, and survey answers files). */
  files: string[];
}

function releaseUtility(report: PrivacyReport): ReleaseOutcome['utility'] {
  const { utility, researchUtility } = report;
  if (!utility) return null;
  const reordered = researchUtility
    ? reorderedByMetric(researchUtility).flatMap(({ name, pairs }) =>
        pairs.map((pair) => `${name}: ${pair}`),
      )
    : [];
  return {
    rmseChange: utility.released.rmse / utility.untransformed.rmse - 1,
    ndcgKept: utility.released.ndcgAt10 / utility.untransformed.ndcgAt10,
    tau: researchUtility?.tau ?? null,
    reordered,
  };
}

function gatedAdversaries(report: PrivacyReport): ReleaseOutcome['adversaries'] {
  const { audit, gate } = report;
  // Reports written before the stronger adversaries and the limits were recorded lack them.
  const { thresholds } = gate;
  return gatedOutcomes(
    { ...audit, strongerAdversaries: audit.strongerAdversaries ?? [] },
    thresholds ?? { maxReidentified: 0, maxReidentifiedStronger: 0 },
  ).map(({ outcome, limit }) => ({
    setting: outcome.name,
    reidentified: outcome.reidentified,
    wrongMatch: outcome.wrongMatch,
    limit: thresholds ? limit : null,
  }));
}

/** Reads a release folder's outcome; null when it holds no privacy-report.json. */
export function readReleaseOutcome(dir: string): ReleaseOutcome | null {
  let report: PrivacyReport;
  try {
    report = JSON.parse(readFileSync(join(dir, 'privacy-report.json'), 'utf8')) as PrivacyReport;
  } catch {
    return null;
  }
  const files = releaseFilesIn(dir);
  return {
    passed: report.gate.passed,
    failures: report.gate.failures,
    nearestPassingPreset: report.gate.nearestPassingPreset,
    policy: report.policy?.name ?? null,
    format: report.format,
    seed: report.seed,
    adversaries: gatedAdversaries(report),
    releasedUsers: report.summary?.releasedUsers ?? null,
    releasedRatings: report.summary?.releasedRatings ?? null,
    releasedMovies: report.summary?.releasedMovies ?? null,
    tasteModel: report.summary?.tasteChoice
      ? describeTasteChoice(report.summary.tasteChoice)
      : null,
    utility: releaseUtility(report),
    files,
  };
}
