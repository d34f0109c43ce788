import { existsSync, readdirSync } from 'node:fs';
import type { Command } from 'commander';
import type { Dataset } from '../../datasets/dataset.ts';
import { writeMl1m } from '../../datasets/ml1m.ts';
import { writeMlLatest } from '../../datasets/mlLatestWriter.ts';
import { loadDataset } from '../../services/datasetLoading.ts';
import { withDatabase } from '../database.ts';
import { UsageError, action, report } from '../output.ts';

interface ExportOptions {
  format: string;
  out: string;
  overwrite?: boolean;
  json?: boolean;
}

/** ml-1m keeps demographics (whole stars, ISO-8859-1); ml-latest keeps half stars and any text. */
const WRITERS = new Map<string, (dataset: Dataset, dir: string) => void>([
  ['ml-1m', writeMl1m],
  ['ml-latest', writeMlLatest],
]);

export function registerExport(program: Command): void {
  program
    .command('export')
    .option('--format <format>', 'ml-1m or ml-latest', 'ml-1m')
    .requiredOption('--out <dir>', 'folder to write into')
    .option('--overwrite', 'write into a folder that already holds files')
    .option('--json', 'print a JSON summary')
    .action(
      action(async (options: ExportOptions, command: Command) => {
        const write = WRITERS.get(options.format);
        if (!write)
          throw new UsageError(
            `--format: unknown format "${options.format}" (expected ${[...WRITERS.keys()].join(' or ')})`,
          );
        if (existsSync(options.out) && readdirSync(options.out).length > 0 && !options.overwrite) {
          throw new UsageError(
            `--out ${options.out} is not empty (add --overwrite to write into it)`,
          );
        }
        const dataset = await withDatabase(command, (db) => loadDataset(db));
        write(dataset, options.out);
        const summary = {
          ratings: dataset.ratings.length,
          users: dataset.ratings.userIds.size,
          movies: dataset.movies.length,
          tags: dataset.tags?.length ?? 0,
          out: options.out,
        };
        report(
          !!options.json,
          summary,
          `wrote ${summary.ratings} ratings, ${summary.users} users and ${summary.movies} movies to ${options.out}`,
        );
      }),
    );
}
