import { readFileSync, existsSync } from 'node:fs';
import type { Command } from 'commander';
import { readDataset } from '../../datasets/read.ts';
import {
  PRESET_NAMES,
  auditOutcomes,
  isPresetName,
  parsePolicy,
  presetPolicy,
  describeOrder,
  describeTasteChoice,
  type Policy,
  type ReleaseFormat,
} from '../../privacy/index.ts';
import {
  ReleaseError,
  checkReleaseTarget,
  loadReleaseSource,
  runReleaseConcurrently,
  writeRelease,
  type ReleaseSource,
} from '../../services/releases.ts';
import { withDatabase } from '../database.ts';
import { UsageError, action, parseWholeNumber, progress, report } from '../output.ts';

interface ReleaseOptions {
  out: string;
  policy?: string;
  preset?: string;
  format: string;
  seed: string;
  keepMapping?: string;
  from?: string;
  fromFormat?: string;
  overwrite?: boolean;
  frontier?: boolean;
  json?: boolean;
}

/** The policy named by --policy FILE or --preset NAME (default: the `default` preset). */
export function policyFromOptions(options: { policy?: string; preset?: string }): Policy {
  if (options.policy && options.preset)
    throw new UsageError('--policy and --preset: give one, not both');
  if (options.policy) {
    if (!existsSync(options.policy))
      throw new UsageError(`--policy ${options.policy}: file not found`);
    return parsePolicy(readFileSync(options.policy, 'utf8'), options.policy);
  }
  const name = options.preset ?? 'default';
  if (!isPresetName(name))
    throw new UsageError(`--preset: unknown preset "${name}" (known: ${PRESET_NAMES.join(', ')})`);
  return presetPolicy(name);
}

export function parseReleaseFormat(value: string): ReleaseFormat {
  if (value !== 'ml-1m' && value !== 'ml-latest')
    throw new UsageError(`--format: unknown format "${value}" (expected ml-1m or ml-latest)`);
  return value;
}

export function registerRelease(program: Command): void {
  program
    .command('release')
    .requiredOption('--out <dir>', 'folder to write the release into (must be empty)')
    .option('--policy <file>', 'anonymization policy (JSON or YAML)')
    .option('--preset <name>', `policy preset: ${PRESET_NAMES.join(', ')} (default: default)`)
    .option('--format <format>', 'ml-1m or ml-latest', 'ml-1m')
    .option('--seed <n>', 'seed of the pseudonyms and every random transformation', '1')
    .option(
      '--keep-mapping <file>',
      "also write release_id,user_id to this private file (for the data owner's audit)",
    )
    .option(
      '--from <path>',
      'release from dataset files instead of the database (every member counts as consenting)',
    )
    .option(
      '--from-format <format>',
      'format of --from: ml-100k, ml-1m, ml-latest, netflix',
      'ml-1m',
    )
    .option('--overwrite', 'write into a folder that already holds files')
    .option(
      '--no-frontier',
      'skip releasing, auditing and measuring every preset for the privacy–utility frontier chart',
    )
    .option('--json', 'quiet; print the report summary as JSON')
    .action(
      action(async (options: ReleaseOptions, command: Command) => {
        const policy = policyFromOptions(options);
        const format = parseReleaseFormat(options.format);
        const seed = parseWholeNumber('--seed', options.seed);
        try {
          checkReleaseTarget(options.out, !!options.overwrite, options.keepMapping);
        } catch (error) {
          if (error instanceof ReleaseError) throw new UsageError(error.message);
          throw error;
        }
        let source: ReleaseSource;
        if (options.from) {
          const dataset = await readDataset(options.from, options.fromFormat ?? 'ml-1m');
          source = { dataset, consents: () => true };
        } else {
          source = await withDatabase(command, (db) => loadReleaseSource(db));
        }
        const bar = progress('release', !!options.json);
        const started = performance.now();
        const result = await runReleaseConcurrently(source, policy, {
          seed,
          format,
          frontier: options.frontier !== false,
          onProgress: (_stage, fraction) => bar.update(Math.round(fraction * 100), 100),
        });
        bar.stop();
        const written = writeRelease(result, {
          out: options.out,
          overwrite: !!options.overwrite,
          keepMapping: options.keepMapping,
        });
        for (const warning of written.warnings)
          process.stderr.write(`lenslab: warning: ${warning}\n`);
        const { gate, audit, summary } = result.report;
        const seconds = (performance.now() - started) / 1000;
        const json = {
          passed: gate.passed,
          failures: gate.failures,
          nearestPassingPreset: gate.nearestPassingPreset,
          out: options.out,
          written: written.written,
          summary,
          scoreboard: auditOutcomes(audit).map((o) => ({
            setting: o.name,
            reidentified: o.reidentified,
            wrongMatch: o.wrongMatch,
            wrongMatchHeld: o.wrongMatchHeld,
          })),
          utility: result.report.utility,
          researchUtility: result.report.researchUtility,
          seconds,
        };
        if (!gate.passed) {
          if (options.json) report(true, json, '');
          const nearest = gate.nearestPassingPreset
            ? `the nearest preset that passes is "${gate.nearestPassingPreset}"`
            : 'no preset passes on this data';
          throw new UsageError(
            `release refused by the privacy gate (policy "${policy.name}"): ${gate.failures.join('; ')}; ${nearest}. Only privacy-report.json and privacy-report.html were written to ${options.out}.`,
          );
        }
        const lines = [
          `released ${summary?.releasedRatings} ratings by ${summary?.releasedUsers} users of ${summary?.releasedMovies} movies to ${options.out} (policy "${policy.name}", seed ${seed}, ${seconds.toFixed(1)} s)`,
          ...auditOutcomes(audit).map(
            (o) =>
              `  scoreboard ${o.name.padEnd(20)} re-identified ${(o.reidentified * 100).toFixed(1)}%`,
          ),
        ];
        if (summary?.tasteChoice)
          lines.push(`  swap's taste model: ${describeTasteChoice(summary.tasteChoice)}`);
        if (result.report.utility) {
          const u = result.report.utility;
          lines.push(
            `  utility (${u.algorithm}): RMSE ${u.released.rmse.toFixed(4)} (untransformed ${u.untransformed.rmse.toFixed(4)}), nDCG@10 ${u.released.ndcgAt10.toFixed(4)} (untransformed ${u.untransformed.ndcgAt10.toFixed(4)})`,
          );
        }
        const research = result.report.researchUtility;
        if (research) lines.push(`  leaderboard ${describeOrder(research)}`);
        report(!!options.json, json, lines.join('\n'));
      }),
    );
}
