/**
 * The member's side of experiments: `GET /api/me/experiments` → `{ [experimentName]: variant }`
 * for every running experiment the member takes part in. Asking assigns the member (recorded on
 * first exposure, deterministic from the experiment and member ids); members outside an
 * experiment's population or window are simply not listed (they see the default).
 *
 * Experiment types the web app acts on (see the README):
 * - `predicted-stars` (or a name starting with `predicted-stars-`): variants `shown` / `hidden`;
 *   for `hidden` the app shows no predicted stars on movie cards.
 * - `recommender` (or `recommender-…`): variant names are algorithm names (`item-knn`, `als`, …).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireMember } from '../context.ts';
import { logEvent } from '../eventHooks.ts';
import { HttpProblem } from '../problem.ts';
import { stopVariantRecommenders } from '../recommenderVariants.ts';
import { researchOf, runningExperimentNames } from '../research.ts';
import { Problem } from '../schemas.ts';

const PREDICTION_CONTEXTS = [
  'recommendations',
  'movie',
  'explore',
  'similar',
  'onboarding',
  'profile',
] as const;

/** Clicks one address may report a minute. */
const CLICKS_PER_MINUTE = 120;

export const registerExperimentRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  const { events, modelRuns, releases } = researchOf(services);
  // Background jobs are cancelled (their threads end) and whatever is still queued is written
  // when the server closes.
  app.addHook('onClose', async () => {
    await Promise.all([stopVariantRecommenders(services), modelRuns.close(), releases.close()]);
    await events.close();
  });

  app.post(
    '/api/events/click',
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
        response: { 204: z.null(), 400: Problem, 401: Problem, 403: Problem, 429: Problem },
      },
    },
    async (request, reply) => {
      // Recommendations are a member's own, and so are clicks on them.
      const memberId = requireMember(request);
      const { movieId, position, context } = request.body;
      if (!services.catalog.movie(movieId)) {
        throw new HttpProblem(400, `movieId: there is no movie ${movieId}`, [
          { path: 'movieId', message: 'no such movie' },
        ]);
      }
      logEvent(services, {
        kind: 'recommendation_click',
        movieId,
        position: position ?? null,
        context: context ?? 'recommendations',
        memberId,
      });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/me/experiments',
    {
      schema: {
        tags: ['me'],
        summary:
          'The running experiments you take part in and your variant of each (assigned on first exposure)',
        response: {
          200: z
            .record(z.string(), z.string())
            .describe('experiment name → variant name, e.g. { "predicted-stars": "hidden" }'),
          401: Problem,
        },
      },
    },
    async (request) => {
      const memberId = requireMember(request);
      const { experiments } = researchOf(services);
      const variants: Record<string, string> = {};
      for (const name of await runningExperimentNames(services)) {
        const variant = await experiments.variantFor(name, memberId);
        if (variant !== null) variants[name] = variant;
      }
      return variants;
    },
  );
};
