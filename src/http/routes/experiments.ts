/**
 * The member's side of experiments: `GET /api/me/experiments` → `{ [experimentName]: variant }`
 * for every running experiment the member takes part in (registered in the /api/me area). Asking
 * assigns the member (recorded on first exposure, deterministic from the experiment and member
 * ids); members outside an experiment's population or window are simply not listed (they see the
 * default). Also the clicks on recommendations, `POST /api/events/click`.
 *
 * The experiment types the web app acts on: see services/runningExperiments.ts and the README.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { invalid } from '../../services/errors.ts';
import { PREDICTION_CONTEXTS } from '../../services/events.ts';
import { member, membersOnly } from '../context.ts';
import { logEvent } from '../eventHooks.ts';
import { problems } from '../schemas.ts';

/** Clicks one address may report a minute. */
const CLICKS_PER_MINUTE = 120;

/** /api/events (members only). */
const clickRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  membersOnly(app);

  app.post(
    '/click',
    {
      // Each click is a row in the research log: a generous cap per address keeps a script from
      // filling it.
      config: { rateLimit: { max: CLICKS_PER_MINUTE, timeWindow: 60_000 } },
      schema: {
        tags: ['recommendations'],
        summary:
          'Report a click on a recommended movie (members only; research event log, under your pseudonymous id)',
        body: z.object({
          movieId: z.number().int().min(1),
          position: z.number().int().min(1).max(1000).optional().describe('1-based, in the list'),
          context: z.enum(PREDICTION_CONTEXTS).optional().describe('default recommendations'),
        }),
        response: { 204: z.null(), ...problems(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const { movieId, position, context } = request.body;
      if (!services.catalog.movie(movieId)) {
        throw invalid(`movieId: there is no movie ${movieId}`, [
          { path: 'movieId', message: 'no such movie' },
        ]);
      }
      logEvent(services, {
        kind: 'recommendation_click',
        movieId,
        position: position ?? null,
        context: context ?? 'recommendations',
        memberId: member(request),
      });
      return reply.code(204).send(null);
    },
  );
};

/** `GET /experiments`, inside the /api/me area (which holds its member guard). */
export const memberExperimentRoutes: FastifyPluginAsyncZod = async (app) => {
  const { running } = app.services.research;
  app.get(
    '/experiments',
    {
      schema: {
        tags: ['me'],
        summary:
          'The running experiments you take part in and your variant of each (assigned on first exposure)',
        response: {
          200: z
            .record(z.string(), z.string())
            .describe('experiment name → variant name, e.g. { "predicted-stars": "hidden" }'),
          ...problems(401),
        },
      },
    },
    async (request) => running.variantsOf(member(request)),
  );
};

export const registerExperimentRoutes: FastifyPluginAsyncZod = async (app) => {
  await app.register(clickRoutes, { prefix: '/api/events' });
};
