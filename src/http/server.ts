import Fastify, { type FastifyInstance } from 'fastify';
import type { Db } from '../db/connection.ts';
import { countRows } from '../services/datasets.ts';

export interface ServerOptions {
  db: Db;
  logger?: boolean;
}

/** Builds the lenslab web server (not yet listening). */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: options.logger ?? false });
  app.get('/api/health', async () => ({ status: 'ok', ...(await countRows(options.db)) }));
  app.get('/', async (_request, reply) => {
    const counts = await countRows(options.db);
    reply.type('text/html').send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>lenslab</title></head>` +
        `<body><h1>lenslab</h1><p>An open, privacy-first MovieLens.</p>` +
        `<p>${counts.movies} movies, ${counts.users} members, ${counts.ratings} ratings.</p></body></html>`,
    );
  });
  return app;
}
