import type { Command } from 'commander';
import { writeSyntheticMl1m } from '../../datasets/syntheticWriter.ts';
import { UsageError, action, parseWholeNumber, progress, report } from '../output.ts';
import { existsSync, readdirSync } from 'node:fs';

interface GenerateOptions {
  users: string;
  movies: string;
  ratings: string;
  seed: string;
  out: string;
  overwrite?: boolean;
  json?: boolean;
}

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .option('--users <n>', 'number of users (each gets ≥ 20 ratings)', '6040')
    .option('--movies <n>', 'number of movies', '3900')
    .option('--ratings <n>', 'total number of ratings', '1000209')
    .option('--seed <n>', 'random seed', '1')
    .requiredOption('--out <dir>', 'folder to write ratings.dat, users.dat and movies.dat into')
    .option('--overwrite', 'write into a folder that already holds files')
    .option('--json', 'print a JSON summary')
    .action(
      action(async (options: GenerateOptions) => {
        const settings = {
          users: parseWholeNumber('--users', options.users, 1),
          movies: parseWholeNumber('--movies', options.movies, 1),
          ratings: parseWholeNumber('--ratings', options.ratings, 1),
          seed: parseWholeNumber('--seed', options.seed),
        };
        if (existsSync(options.out) && readdirSync(options.out).length > 0 && !options.overwrite) {
          throw new UsageError(
            `--out ${options.out} is not empty (add --overwrite to write into it)`,
          );
        }
        const started = performance.now();
        const bar = progress('generate', !!options.json);
        try {
          writeSyntheticMl1m(settings, options.out, (done, total) => bar.update(done, total));
        } finally {
          bar.stop();
        }
        const seconds = (performance.now() - started) / 1000;
        report(
          !!options.json,
          { ...settings, out: options.out, seconds },
          `wrote ${settings.ratings} ratings by ${settings.users} users of ${settings.movies} movies to ${options.out} in ${seconds.toFixed(1)} s`,
        );
      }),
    );
}
