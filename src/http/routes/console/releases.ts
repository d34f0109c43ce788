/**
 * The console's dataset releases: a privacy-audited release with a preset policy, in the
 * background and one at a time; the gate's outcome, the re-identification figures and the privacy
 * report. No mapping to live ids is ever written.
 */
import { readFileSync } from 'node:fs';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PRESET_NAMES } from '../../../privacy/index.ts';
import { appendAuditEntry } from '../../../services/accessAudit.ts';
import { conflict, notFound } from '../../../services/errors.ts';
import { RELEASE_FORMATS, type ConsoleRelease as Release } from '../../../services/releaseJobs.ts';
import { CONSOLE_PREFIX, errors, requireRoleOnRoutes, tags, who } from './common.ts';
import { ConsoleRelease, ReleaseList, ReleaseParams, ReleaseRequestBody } from './schemas.ts';

export const releaseRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app.services;
  const releases = app.services.research.releases;
  requireRoleOnRoutes(app, 'researcher');
  const present = (release: Release) => ({
    ...release,
    reportUrl: releases.reportFile(release.id)
      ? `${CONSOLE_PREFIX}/releases/${release.id}/privacy-report.html`
      : null,
  });
  const releaseOr404 = (id: string) => {
    const release = releases.get(id);
    if (!release) throw notFound(`release ${id} does not exist`);
    return present(release);
  };

  app.get(
    '/releases',
    {
      schema: {
        tags,
        summary: 'Dataset releases with their gate outcome, newest first (poll for progress)',
        response: { 200: ReleaseList, ...errors },
      },
    },
    async () => ({
      items: releases.list().map(present),
      busy: releases.busy,
      presets: [...PRESET_NAMES],
      formats: [...RELEASE_FORMATS],
    }),
  );

  app.post(
    '/releases',
    {
      schema: {
        tags,
        summary:
          'Start a privacy-audited release with a preset policy (one at a time: 409 while busy); no mapping to live ids is ever written',
        body: ReleaseRequestBody,
        response: { 202: ConsoleRelease, ...errors },
      },
    },
    async (request, reply) => {
      const release = releases.start(request.body, who(request));
      await appendAuditEntry(db, {
        actorId: who(request),
        action: 'release_started',
        detail: { release: release.id, preset: release.preset, format: release.format },
      });
      return reply.code(202).send(present(release));
    },
  );

  app.get(
    '/releases/:id',
    {
      schema: {
        tags,
        summary: 'One release: progress, gate outcome, re-identification figures',
        params: ReleaseParams,
        response: { 200: ConsoleRelease, ...errors },
      },
    },
    async (request) => releaseOr404(request.params.id),
  );

  app.post(
    '/releases/:id/cancel',
    {
      schema: {
        tags,
        summary: 'Cancel a running release (nothing of it is kept; 409 when it is not running)',
        params: ReleaseParams,
        response: { 200: ConsoleRelease, ...errors },
      },
    },
    async (request) => {
      const { id } = request.params;
      releaseOr404(id);
      if (!(await releases.cancel(id))) throw conflict(`release ${id} is not running`);
      return releaseOr404(id);
    },
  );

  app.get(
    '/releases/:id/privacy-report.html',
    {
      schema: {
        tags,
        summary: "The release's privacy report (self-contained HTML)",
        params: ReleaseParams,
        response: { 200: z.string().describe('text/html'), ...errors },
      },
    },
    async (request, reply) => {
      const path = releases.reportFile(request.params.id);
      if (!path) throw notFound(`release ${request.params.id} has no privacy report`);
      return reply.type('text/html; charset=utf-8').send(readFileSync(path, 'utf8'));
    },
  );
};
