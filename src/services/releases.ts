/**
 * Research releases, the I/O side: load the members who may be released (from the database or
 * from dataset files), run the pure pipeline of src/privacy, and write the folder — or, when the
 * gate refuses, only the report.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Dataset } from '../datasets/dataset.ts';
import { writeMl1m } from '../datasets/ml1m.ts';
import { writeMlLatest } from '../datasets/mlLatestWriter.ts';
import type { Db } from '../db/connection.ts';
import {
  generateReadme,
  movieStatsCsv,
  releaseWithAudit,
  renderReportHtml,
  type PipelineOptions,
  type PipelineResult,
  type Policy,
  type PrivacyReport,
} from '../privacy/index.ts';
import { loadDataset } from './datasets.ts';

/** A release request a user got wrong (output folder, mapping path). */
export class ReleaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReleaseError';
  }
}

/** Every file a release may write (and an --overwrite release replaces). */
export const RELEASE_FILES = [
  'ratings.dat',
  'users.dat',
  'movies.dat',
  'ratings.csv',
  'movies.csv',
  'movie-stats.csv',
  'README',
  'privacy-report.json',
  'privacy-report.html',
] as const;

export const REPORT_FILES = ['privacy-report.json', 'privacy-report.html'] as const;

/** The source of a release: every member's data, and who agreed to research use. */
export interface ReleaseSource {
  dataset: Dataset;
  consents: (userId: number) => boolean;
}

/**
 * Loads the database for a release. Members imported from a research dataset count as consenting
 * (their `research_consent` is 1 on import); members who signed up gave their own answer.
 */
export async function loadReleaseSource(db: Db): Promise<ReleaseSource> {
  const dataset = await loadDataset(db);
  const rows = await db.kysely
    .selectFrom('users')
    .select(['id'])
    .where('research_consent', '=', 1)
    .execute();
  const consenting = new Set(rows.map((row) => row.id));
  return { dataset, consents: (id) => consenting.has(id) };
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
  if (options.overwrite) for (const name of RELEASE_FILES) rmSync(join(out, name), { force: true });
  const { report, published, release } = result;
  if (!report.gate.passed)
    return { out, written: writeReports(out, report), mapping: null, warnings: [] };
  const format = report.format ?? 'ml-1m';
  const written: string[] = [];
  if (format === 'ml-1m') {
    writeMl1m(published, out);
    written.push('ratings.dat', 'users.dat', 'movies.dat');
  } else {
    writeMlLatest(published, out);
    written.push('ratings.csv', 'movies.csv');
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
