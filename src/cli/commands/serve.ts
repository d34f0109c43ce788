import cluster from 'node:cluster';
import type { Command } from 'commander';
import { migrateToLatest, openDatabase, type Db } from '../../db/connection.ts';
import { buildServer } from '../../http/server.ts';
import { ensureUiBuilt } from '../../http/ui.ts';
import { seedDemoCatalogIfEmpty } from '../../services/demo.ts';
import { loadOperatorPolicies, operatorPoliciesDir } from '../../services/releasePolicies.ts';
import { databaseOption } from '../database.ts';
import { action, parseWholeNumber } from '../output.ts';

interface ServeOptions {
  port: string;
  host: string;
  workers: string;
  demo: boolean;
  ui: boolean;
  models: string;
  outbox: string;
  log: boolean;
}

/** Tells a worker process the web app folder its primary prepared ('' for none). */
const UI_DIR_FOR_WORKERS = 'LENSLAB_SERVE_UI_DIR';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .option('--port <port>', 'port to listen on (PORT)', process.env.PORT ?? '8080')
    .option('--host <host>', 'address to listen on (HOST)', process.env.HOST ?? '127.0.0.1')
    .option(
      '--workers <n>',
      'server processes on this machine, sharing the port (LENSLAB_WORKERS; each is an app node)',
      process.env.LENSLAB_WORKERS ?? '1',
    )
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
        const workers = parseWholeNumber('--workers', options.workers, 1);
        const target = databaseOption(command);
        if (cluster.isWorker) {
          // The primary migrated the database and built the web app.
          const uiDir = process.env[UI_DIR_FOR_WORKERS] || null;
          await serveNode(await openDatabase(target), options, port, uiDir);
          return;
        }
        // A bad policy file stops the server before anything is built (the console reads them).
        loadOperatorPolicies(operatorPoliciesDir());
        const db = await openDatabase(target);
        await migrateToLatest(db);
        console.log(`lenslab: data lives in ${db.location}`);
        if (options.demo) await seedDemo(db);
        const uiDir = options.ui ? await ensureUiBuilt() : null;
        if (options.ui && !uiDir)
          console.log(
            'lenslab: no web app in this checkout (ui/ or vite.config.ts missing); serving the API only',
          );
        if (workers === 1) {
          await serveNode(db, options, port, uiDir);
          return;
        }
        await db.close();
        superviseWorkers(workers, uiDir ?? '');
        console.log(
          `lenslab: ${workers} worker processes listen on http://${displayHost(options.host)}:${port} (API docs at /api/docs)`,
        );
      }),
    );
}

async function seedDemo(db: Db): Promise<void> {
  const seeded = await seedDemoCatalogIfEmpty(db);
  if (!seeded) return;
  console.log(
    `lenslab: the database was empty, so it now holds a synthetic demo catalog (${seeded.movies} movies, ${seeded.users} members, ${seeded.ratings} ratings).`,
  );
  console.log(
    'lenslab: to use real MovieLens data, download it from https://grouplens.org/datasets/movielens/ and run',
  );
  console.log('         bin/lenslab import --format ml-1m --replace path/to/ml-1m');
}

function displayHost(host: string): string {
  return host === '0.0.0.0' ? 'localhost' : host;
}

/** One app node: a server on the database, until SIGINT or SIGTERM. */
async function serveNode(db: Db, options: ServeOptions, port: number, uiDir: string | null) {
  const prefix = cluster.isWorker ? `lenslab[${cluster.worker!.id}]` : 'lenslab';
  const app = await buildServer({
    db,
    // One line per request: method, route pattern, status, time (never the URL).
    logger: options.log ? { level: 'info' } : false,
    log: (message) => console.log(`${prefix}: ${message}`),
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
  // In a worker, node:cluster shares the primary's listening socket between the workers.
  await app.listen({ port, host: options.host });
  if (!cluster.isWorker)
    console.log(
      `lenslab: listening on http://${displayHost(options.host)}:${port} (API docs at /api/docs)`,
    );
}

/**
 * The primary of `--workers N`: forks N workers (each a full app node: they keep each other
 * current through the change log, like nodes on other machines), forks a new one when one dies,
 * and on SIGINT/SIGTERM stops them all and exits.
 */
function superviseWorkers(count: number, uiDir: string): void {
  let stopping = false;
  const started = Date.now();
  const fork = () => cluster.fork({ [UI_DIR_FOR_WORKERS]: uiDir });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit();
      return;
    }
    console.log(
      `lenslab: worker ${worker.id} stopped (${signal ?? `exit code ${code}`}); starting another`,
    );
    // A worker that dies at once (a port in use, a broken database) is not restarted in a loop.
    if (Date.now() - started < 5000) {
      console.log('lenslab: a worker failed while starting; stopping');
      stop(1);
      return;
    }
    fork();
  });
  const stop = (code = 0) => {
    stopping = true;
    process.exitCode = code;
    const running = Object.values(cluster.workers ?? {});
    if (running.length === 0) process.exit(code);
    for (const worker of running) worker?.process.kill('SIGTERM');
  };
  process.once('SIGINT', () => stop());
  process.once('SIGTERM', () => stop());
  for (let i = 0; i < count; i++) fork();
}
