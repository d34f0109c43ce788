/** The console's event-log export: CSV or JSON Lines for a date range, each export audited. */
import { PassThrough } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { appendAuditEntry } from '../../../services/accessAudit.ts';
import { invalid } from '../../../services/errors.ts';
import { exportEvents, type ExportFormat } from '../../../services/eventExport.ts';
import { errors, requireRoleOnRoutes, tags, who } from './common.ts';
import { EventsExportQuery } from './schemas.ts';

/** Unix ms of an ISO date or time (a date alone is midnight UTC). */
function parseTime(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw invalid(`${field}: "${value}" is not a date`, [
      { path: field, message: 'is not a date' },
    ]);
  }
  return ms;
}

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
      const format: ExportFormat = request.query.format;
      const since = parseTime(request.query.since, 'since');
      const until = parseTime(request.query.until, 'until');
      if (since !== undefined && until !== undefined && !(since < until)) {
        throw invalid('until: must be after since');
      }
      await appendAuditEntry(db, {
        actorId: who(request),
        action: 'events_exported',
        detail: { format, since: request.query.since ?? null, until: request.query.until ?? null },
      });
      // Events still queued in memory go to the table first, so the export is complete.
      await research.events.flush();
      const out = new PassThrough();
      exportEvents(db, format, out, { since, until }).then(
        () => out.end(),
        (error: Error) => out.destroy(error),
      );
      const stamp = new Date().toISOString().slice(0, 10);
      return reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="lenslab-events-${stamp}.${format}"`)
        .send(out as unknown as string);
    },
  );
};
