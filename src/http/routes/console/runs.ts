/** The console's model runs: train or evaluate in the background, one at a time; poll, cancel. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ALGORITHM_NAMES } from '../../../recsys/index.ts';
import { conflict, notFound } from '../../../services/errors.ts';
import { RUN_PROTOCOLS } from '../../../services/modelRuns.ts';
import { errors, requireRoleOnRoutes, tags, who } from './common.ts';
import { ModelRun, RunList, RunParams, RunRequestBody } from './schemas.ts';

export const runRoutes: FastifyPluginAsyncZod = async (app) => {
  const runs = app.services.research.modelRuns;
  requireRoleOnRoutes(app, 'researcher');
  const runOr404 = (id: number) => {
    const run = runs.get(id);
    if (!run) throw notFound(`model run ${id} does not exist`);
    return run;
  };

  app.get(
    '/runs',
    {
      schema: {
        tags,
        summary: 'Model training and evaluation runs, newest first (poll for progress)',
        response: { 200: RunList, ...errors },
      },
    },
    async () => ({
      items: runs.list(),
      busy: runs.busy,
      algorithms: [...ALGORITHM_NAMES],
      protocols: [...RUN_PROTOCOLS],
    }),
  );

  app.post(
    '/runs',
    {
      schema: {
        tags,
        summary: 'Start a train or evaluate run in the background (one at a time: 409 while busy)',
        body: RunRequestBody,
        response: { 202: ModelRun, ...errors },
      },
    },
    async (request, reply) => reply.code(202).send(runs.start(request.body, who(request))),
  );

  app.get(
    '/runs/:id',
    {
      schema: {
        tags,
        summary: 'One run: status, progress and results',
        params: RunParams,
        response: { 200: ModelRun, ...errors },
      },
    },
    async (request) => runOr404(request.params.id),
  );

  app.post(
    '/runs/:id/cancel',
    {
      schema: {
        tags,
        summary: 'Cancel a running run (its worker thread is stopped; 409 when it is not running)',
        params: RunParams,
        response: { 200: ModelRun, ...errors },
      },
    },
    async (request) => {
      const { id } = request.params;
      runOr404(id);
      if (!(await runs.cancel(id))) throw conflict(`model run ${id} is not running`);
      return runOr404(id);
    },
  );
};
