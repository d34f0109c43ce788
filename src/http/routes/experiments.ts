/**
 * The member's side of experiments: `GET /api/me/experiments` → `{ [experimentName]: variant }`
 * for every running experiment the member takes part in. Asking assigns the member (recorded on
 * first exposure, deterministic from the experiment and member ids); members outside an
 * experiment's population or window are simply not listed (they see the default).
 *
 * Experiment types the web app acts on (see docs/console.md):
 * - `predicted-stars` (or a name starting with `predicted-stars-`): variants `shown` / `hidden`;
 *   for `hidden` the app shows no predicted stars on movie cards.
 * - `recommender` (or `recommender-…`): variant names are algorithm names (`item-knn`, `als`, …).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireMember } from '../context.ts';
import { researchOf } from '../research.ts';
import { Problem } from '../schemas.ts';

export const registerExperimentRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;

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
      for (const experiment of await experiments.list()) {
        if (experiment.state !== 'running') continue;
        const variant = await experiments.variantFor(experiment.id, memberId);
        if (variant !== null) variants[experiment.name] = variant;
      }
      return variants;
    },
  );
};
