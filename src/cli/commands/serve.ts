import type { Command } from 'commander';
import { migrateToLatest, openDatabase } from '../../db/connection.ts';
import { buildServer } from '../../http/server.ts';
import { seedDemoCatalogIfEmpty } from '../../services/demo.ts';
import { databaseOption } from '../database.ts';
import { action, parseWholeNumber } from '../output.ts';

interface ServeOptions {
  port: string;
  host: string;
  demo: boolean;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the web site (migrates the database and seeds a demo catalog when it is empty)')
    .option('--port <port>', 'port to listen on', process.env.PORT ?? '8080')
    .option('--host <host>', 'address to listen on', process.env.HOST ?? '127.0.0.1')
    .option('--no-demo', 'do not seed the synthetic demo catalog into an empty database')
    .action(
      action(async (options: ServeOptions, command: Command) => {
        const port = parseWholeNumber('--port', options.port);
        const db = await openDatabase(databaseOption(command));
        await migrateToLatest(db);
        console.log(`lenslab: data lives in ${db.location}`);
        if (options.demo) {
          const seeded = await seedDemoCatalogIfEmpty(db);
          if (seeded) {
            console.log(`lenslab: the database was empty, so it now holds a synthetic demo catalog (${seeded.movies} movies, ${seeded.users} members, ${seeded.ratings} ratings).`);
            console.log('lenslab: to use real MovieLens data, download it from https://grouplens.org/datasets/movielens/ and run');
            console.log('         bin/lenslab import --format ml-1m --replace path/to/ml-1m');
          }
        }
        const app = await buildServer({ db });
        const shutdown = async () => {
          await app.close();
          await db.close();
          process.exit(0);
        };
        process.once('SIGINT', shutdown);
        process.once('SIGTERM', shutdown);
        await app.listen({ port, host: options.host });
        console.log(`lenslab: listening on http://${options.host === '0.0.0.0' ? 'localhost' : options.host}:${port}`);
      }),
    );
}
