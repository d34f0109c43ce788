import { existsSync, readdirSync } from 'node:fs';
import type { Command } from 'commander';
import { writeMl1m } from '../../datasets/ml1m.ts';
import { loadDataset } from '../../services/datasets.ts';
import { withDatabase } from '../database.ts';
import { UsageError, action, report } from '../output.ts';

interface ExportOptions {
  format: string;
  out: string;
  overwrite?: boolean;
  json?: boolean;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description(
      'write the database as ML-1M files (a plain copy for the data owner; releases use `lenslab release`)',
    )
    .option('--format <format>', 'ml-1m', 'ml-1m')
    .requiredOption('--out <dir>', 'folder to write into')
    .option('--overwrite', 'write into a folder that already holds files')
    .option('--json', 'print a JSON summary')
    .action(
      action(async (options: ExportOptions, command: Command) => {
        if (options.format !== 'ml-1m')
          throw new UsageError(`--format: unknown format "${options.format}" (expected ml-1m)`);
        if (existsSync(options.out) && readdirSync(options.out).length > 0 && !options.overwrite) {
          throw new UsageError(
            `--out ${options.out} is not empty (add --overwrite to write into it)`,
          );
        }
        const dataset = await withDatabase(command, (db) => loadDataset(db));
        writeMl1m(dataset, options.out);
        const summary = {
          ratings: dataset.ratings.length,
          users: dataset.ratings.userIds.size,
          movies: dataset.movies.length,
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
