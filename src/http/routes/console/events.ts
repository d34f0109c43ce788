/** The console's event-log export: CSV or JSON Lines for a date range, each export audited. */
import { PassThrough } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditedEventExport } from '../../../services/eventExport.ts';
import { errors, requireRoleOnRoutes, tags, who } from './common.ts';
import { EventsExportQuery } from './schemas.ts';

export const eventRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, research } = app.services;
  requireRoleOnRoutes(app, 'researcher');

  app.get(
    '/events/export',
    {
      schema: {
        tags,
        summary:
          'Download the event log as CSV or JSON Lines (pseudonymous ids only); an empty range gives the CSV header alone',
        querystring: EventsExportQuery,
        response: {
          200: z.string().describe('text/csv or application/x-ndjson'),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const exported = await auditedEventExport(db, {
        ...request.query,
        actorId: who(request),
        via: 'console',
      });
      // Events still queued in memory go to the table first, so the export is complete.
      await research.events.flush();
      const out = new PassThrough();
      exported.run(out).then(
        () => out.end(),
        (error: Error) => out.destroy(error),
      );
      const { format } = exported;
      const stamp = new Date().toISOString().slice(0, 10);
      return reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="lenslab-events-${stamp}.${format}"`)
        .send(out as unknown as string);
    },
  );
};
