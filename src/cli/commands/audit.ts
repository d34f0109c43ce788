import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { DatasetError } from '../../datasets/errors.ts';
import { readDataset } from '../../datasets/read.ts';
import {
  auditOutcomes,
  auditRelease,
  auditReport,
  auditResearchUtility,
  renderReportHtml,
  describeOrder,
} from '../../privacy/index.ts';
import { UsageError, action, parseWholeNumber, progress, report } from '../output.ts';

interface AuditOptions {
  original: string;
  format: string;
  release: string;
  releaseFormat?: string;
  mapping?: string;
  targets: string;
  minClass: string;
  report?: string;
  json?: boolean;
}

/** Reads a `release_id,user_id` CSV into a map; errors name the file and line. */
export function readMapping(path: string): Map<number, number> {
  if (!existsSync(path)) throw new DatasetError(path, 0, 'file not found');
  const mapping = new Map<number, number>();
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.forEach((raw, index) => {
    const text = raw.replace(/\r$/, '').trim();
    const number = index + 1;
    if (index === 0) {
      if (text !== 'release_id,user_id')
        throw new DatasetError(
          path,
          number,
          `expected the header "release_id,user_id", found "${text}"`,
        );
      return;
    }
    if (text === '') return;
    const match = /^(\d+),(\d+)$/.exec(text);
    if (!match)
      throw new DatasetError(
        path,
        number,
        `expected "release_id,user_id" (two whole numbers), found "${text}"`,
      );
    const releaseId = Number(match[1]);
    if (mapping.has(releaseId))
      throw new DatasetError(path, number, `release id ${releaseId} appears twice`);
    mapping.set(releaseId, Number(match[2]));
  });
  return mapping;
}

/** The format of a release folder by its files. */
export function detectFormat(dir: string): string {
  if (existsSync(join(dir, 'ratings.dat'))) return 'ml-1m';
  if (existsSync(join(dir, 'ratings.csv'))) return 'ml-latest';
  if (existsSync(join(dir, 'u.data'))) return 'ml-100k';
  throw new UsageError(
    `--release ${dir}: no ratings.dat, ratings.csv or u.data found (give --release-format)`,
  );
}

export function registerAudit(program: Command): void {
  program
    .command('audit')
    .requiredOption('--original <path>', 'the true data (aux knowledge is drawn from it)')
    .requiredOption('--format <format>', 'format of --original: ml-100k, ml-1m, ml-latest, netflix')
    .requiredOption('--release <dir>', 'the released files (the attack sees only these)')
    .option('--release-format <format>', 'format of --release (default: detected from its files)')
    .option(
      '--mapping <file>',
      'release_id,user_id CSV; without it, release ids are taken to be the original ids',
    )
    .option('--targets <n>', 'targets per setting: a number or "all"', '500')
    .option('--min-class <k>', 'k: the smallest quasi-identifier class the gate accepts', '5')
    .option(
      '--report <dir>',
      'also write privacy-report.json and privacy-report.html into this folder',
    )
    .option('--json', 'quiet; print the audit as JSON')
    .action(
      action(async (options: AuditOptions) => {
        const targets =
          options.targets === 'all' ? 'all' : parseWholeNumber('--targets', options.targets, 1);
        const k = parseWholeNumber('--min-class', options.minClass, 1);
        const truth = await readDataset(options.original, options.format);
        const releaseFormat = options.releaseFormat ?? detectFormat(options.release);
        const release = await readDataset(options.release, releaseFormat);
        const mapping = options.mapping ? readMapping(options.mapping) : null;
        const bar = progress('audit', !!options.json);
        const audit = auditRelease({
          truth,
          release,
          originalIdOf: mapping ? (id) => mapping.get(id) : undefined,
          targets,
          onProgress: (fraction) => bar.update(Math.round(fraction * 100), 100),
        });
        bar.stop();
        const research = auditResearchUtility(
          truth,
          release,
          mapping ? (id) => mapping.get(id) : undefined,
        );
        const thresholds = { maxReidentified: 0.05, maxReidentifiedStronger: 0.1, k };
        const result = auditReport(audit, thresholds, research);
        if (options.report) {
          mkdirSync(options.report, { recursive: true });
          writeFileSync(
            join(options.report, 'privacy-report.json'),
            `${JSON.stringify(result, null, 2)}\n`,
          );
          writeFileSync(join(options.report, 'privacy-report.html'), renderReportHtml(result));
        }
        const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
        const lines = [
          `audit of ${options.release} against ${options.original}: ${audit.targets} targets among ${audit.releasedUsers} released users${audit.unmatchedUsers > 0 ? ` (${audit.unmatchedUsers} not found in the original)` : ''}`,
          ...auditOutcomes(audit).map(
            (o) =>
              `  ${o.name.padEnd(20)} re-identified ${pct(o.reidentified).padStart(6)}  wrong match ${pct(o.wrongMatch).padStart(6)} (holding ${pct(o.wrongMatchHeld)})  no match ${pct(o.noMatch).padStart(6)}  entropy ${o.meanEntropyBits.toFixed(2)} bits`,
          ),
          `  of a released record drawn at random, ${pct(audit.heldByChance)} of the ratings are a target's own (what "holding" compares with; a match holding half re-identifies)`,
          `  research utility (leaderboard on ${research.members} members; τ 1 = the algorithms rank as on the original): ${describeOrder(research)}`,
        ];
        const qi = audit.quasiIdentifiers;
        if (qi) {
          lines.push(
            `  unique on (gender, age, occupation, zip) ${pct(qi.uniqueGenderAgeOccupationZip)}, on (gender, age, zip) ${pct(qi.uniqueGenderAgeZip)}${qi.uniqueGenderAgeZip3 === null ? '' : `, on (gender, age, 3-digit zip) ${pct(qi.uniqueGenderAgeZip3)}`}`,
            `  classes of size 1 / 2-4 / 5-9 / 10+: ${pct(qi.histogram.size1)} / ${pct(qi.histogram.size2to4)} / ${pct(qi.histogram.size5to9)} / ${pct(qi.histogram.size10plus)}; prosecutor ${pct(qi.prosecutor.highest)} (highest), journalist ${pct(qi.journalist.highest)}, marketer ${pct(qi.marketer)}`,
          );
        }
        lines.push(
          `  gate (≤ 5% re-identified, ≤ 10% by the stronger adversaries, classes ≥ ${k}): ${result.gate.passed ? 'would pass' : `would refuse: ${result.gate.failures.join('; ')}`}`,
        );
        report(!!options.json, result, lines.join('\n'));
      }),
    );
}
