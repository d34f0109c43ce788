import type { Command } from 'commander';
import { migrateToLatest, openDatabase } from '../../db/connection.ts';
import { buildServer } from '../../http/server.ts';
import { ensureUiBuilt } from '../../http/ui.ts';
import { seedDemoCatalogIfEmpty } from '../../services/demo.ts';
import { databaseOption } from '../database.ts';
import { action, parseWholeNumber } from '../output.ts';

interface ServeOptions {
  port: string;
  host: string;
  demo: boolean;
  ui: boolean;
  models: string;
  outbox: string;
  log: boolean;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .option('--port <port>', 'port to listen on (PORT)', process.env.PORT ?? '8080')
    .option('--host <host>', 'address to listen on (HOST)', process.env.HOST ?? '127.0.0.1')
    .option('--no-demo', 'do not seed the synthetic demo catalog into an empty database')
    .option('--no-ui', 'serve the API only (do not build or serve the web app)')
    .option('--models <dir>', 'folder of published models (the newest is used)', './data/models')
    .option(
      '--outbox <dir>',
      'where e-mails go as .eml files when SMTP_URL is not set (LENSLAB_OUTBOX)',
      process.env.LENSLAB_OUTBOX ?? './data/outbox',
    )
    .option('--no-log', 'do not log requests')
    .action(
      action(async (options: ServeOptions, command: Command) => {
        const port = parseWholeNumber('--port', options.port);
        const db = await openDatabase(databaseOption(command));
        await migrateToLatest(db);
        console.log(`lenslab: data lives in ${db.location}`);
        if (options.demo) {
          const seeded = await seedDemoCatalogIfEmpty(db);
          if (seeded) {
            console.log(
              `lenslab: the database was empty, so it now holds a synthetic demo catalog (${seeded.movies} movies, ${seeded.users} members, ${seeded.ratings} ratings).`,
            );
            console.log(
              'lenslab: to use real MovieLens data, download it from https://grouplens.org/datasets/movielens/ and run',
            );
            console.log('         bin/lenslab import --format ml-1m --replace path/to/ml-1m');
          }
        }
        const uiDir = options.ui ? await ensureUiBuilt() : null;
        if (options.ui && !uiDir)
          console.log(
            'lenslab: no web app in this checkout (ui/ or vite.config.ts missing); serving the API only',
          );
        const app = await buildServer({
          db,
          // One line per request: method, route pattern, status, time (never the URL).
          logger: options.log ? { level: 'info' } : false,
          log: (message) => console.log(`lenslab: ${message}`),
          uiDir,
          recommenderOptions: { modelsDir: options.models },
          mailerOptions: { outboxDir: options.outbox },
        });
        const shutdown = async () => {
          await app.close();
          await db.close();
          process.exit(0);
        };
        process.once('SIGINT', shutdown);
        process.once('SIGTERM', shutdown);
        await app.listen({ port, host: options.host });
        console.log(
          `lenslab: listening on http://${options.host === '0.0.0.0' ? 'localhost' : options.host}:${port} (API docs at /api/docs)`,
        );
      }),
    );
}
