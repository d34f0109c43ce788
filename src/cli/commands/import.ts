import type { Command } from 'commander';
import { DATASET_FORMATS, readDataset } from '../../datasets/read.ts';
import {
  WebMembersInDatasetError,
  importDataset,
  type ImportMode,
} from '../../services/datasets.ts';
import { withDatabase } from '../database.ts';
import { UsageError, action, progress, report } from '../output.ts';

interface ImportOptions {
  format: string;
  replace?: boolean;
  merge?: boolean;
  json?: boolean;
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .argument('<path>', 'the dataset folder (as downloaded and unpacked)')
    .requiredOption('--format <format>', `one of ${DATASET_FORMATS.join(', ')}`)
    .option('--replace', 'delete everything in the database first')
    .option('--merge', 'add to what is there, updating movies, users and ratings with the same ids')
    .option('--json', 'print a JSON summary, no progress bar')
    .action(
      action(async (path: string, options: ImportOptions, command: Command) => {
        if (options.replace && options.merge)
          throw new UsageError('choose either --replace or --merge, not both');
        const mode: ImportMode = options.replace ? 'replace' : options.merge ? 'merge' : 'empty';
        const started = performance.now();
        const dataset = await readDataset(path, options.format);
        const parsed = performance.now();
        const bar = progress('import', options.json);
        const summary = await withDatabase(command, async (db) => {
          try {
            return {
              ...(await importDataset(db, dataset, mode, (done, total) => bar.update(done, total))),
              database: db.location,
            };
          } catch (error) {
            if (error instanceof WebMembersInDatasetError)
              throw new UsageError(`--merge: ${error.message}`);
            throw error;
          } finally {
            bar.stop();
          }
        });
        const seconds = {
          parse: (parsed - started) / 1000,
          total: (performance.now() - started) / 1000,
        };
        report(
          !!options.json,
          { ...summary, seconds },
          `imported ${summary.ratings} ratings, ${summary.users} users and ${summary.movies} movies${summary.tags === undefined ? '' : ` (and ${summary.tags} tags)`} into ${summary.database} in ${seconds.total.toFixed(1)} s`,
        );
      }),
    );
}
