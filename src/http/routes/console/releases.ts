/**
 * The console's dataset releases: a privacy-audited release with a preset policy, in the
 * background and one at a time; the gate's outcome, the re-identification figures and the privacy
 * report. No mapping to live ids is ever written.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PRESET_NAMES } from '../../../privacy/index.ts';
import { conflict, notFound } from '../../../services/errors.ts';
import { RELEASE_FORMATS, type ConsoleRelease as Release } from '../../../services/releaseJobs.ts';
import { CONSOLE_PREFIX, errors, requireRoleOnRoutes, tags, who } from './common.ts';
import {
  ConsoleRelease,
  ReleaseFileList,
  ReleaseFileParams,
  ReleaseList,
  ReleaseParams,
  ReleaseRequestBody,
} from './schemas.ts';

/** Content types of the files a release writes (anything else is served as bytes). */
const FILE_TYPES: Record<string, string> = {
  '.csv': 'text/csv; charset=utf-8',
  '.dat': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

export const releaseRoutes: FastifyPluginAsyncZod = async (app) => {
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
      policies: releases.policyNames,
      formats: [...RELEASE_FORMATS],
    }),
  );

  app.post(
    '/releases',
    {
      schema: {
        tags,
        summary:
          "Start a privacy-audited release with a preset or one of the operator's policies (one at a time: 409 while busy); no mapping to live ids is ever written",
        body: ReleaseRequestBody,
        response: { 202: ConsoleRelease, ...errors },
      },
    },
    async (request, reply) => {
      const release = await releases.start(request.body, who(request));
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

  app.get(
    '/releases/:id/files',
    {
      schema: {
        tags,
        summary: "The files of a release's folder, each with its download link",
        params: ReleaseParams,
        response: { 200: ReleaseFileList, ...errors },
      },
    },
    async (request) => {
      const { id } = request.params;
      const files = releases.files(id);
      if (!files) throw notFound(`release ${id} does not exist`);
      return {
        items: files.map((file) => ({
          ...file,
          url: `${CONSOLE_PREFIX}/releases/${id}/files/${encodeURIComponent(file.name)}`,
        })),
      };
    },
  );

  app.get(
    '/releases/:id/files/:name',
    {
      schema: {
        tags,
        summary:
          "Download one of a release's files (only a name the file list gives; never a path)",
        params: ReleaseFileParams,
        response: {
          200: z.string().describe('the file (Content-Disposition: attachment)'),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { id, name } = request.params;
      // Only a name listed in the release's own folder is served; the request is never a path.
      const path = releases.file(id, name);
      if (!path) throw notFound(`release ${id} has no file ${name}`);
      return reply
        .type(FILE_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream')
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('x-content-type-options', 'nosniff')
        .send(createReadStream(path) as unknown as string);
    },
  );
};
