/** A member's ratings under /api/ratings (members only): set, remove, list. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isoTime } from '../../services/clock.ts';
import { rateMovie, removeRating } from '../../services/ratings.ts';
import { member, membersOnly } from '../context.ts';
import {
  Page,
  RatedMovie,
  RatingValue,
  compiledSerializer,
  idParam,
  problems,
  queryInt,
} from '../schemas.ts';
import { movieSummary, ratedNewestFirst, viewerOf } from './movies.ts';

const ratingRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  const { catalog } = services;
  const workflow = { db: services.db, catalog, changes: services.changes };
  membersOnly(app);

  app.put(
    '/:movieId',
    {
      serializerCompiler: compiledSerializer,
      schema: {
        tags: ['ratings'],
        summary:
          'Rate a movie (half stars 0.5–5); your recommendations change on the next page view',
        params: z.object({ movieId: idParam }),
        body: z.object({ rating: RatingValue }),
        response: {
          200: z.object({ movieId: z.number().int(), rating: z.number(), ratedAt: z.string() }),
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const { movieId } = request.params;
      const stored = await rateMovie(workflow, member(request), movieId, request.body.rating);
      return { movieId, rating: stored.rating, ratedAt: isoTime(stored.ratedAt) };
    },
  );

  app.delete(
    '/:movieId',
    {
      schema: {
        tags: ['ratings'],
        summary: 'Remove your rating of a movie',
        params: z.object({ movieId: idParam }),
        response: { 204: z.undefined(), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await removeRating(workflow, member(request), request.params.movieId);
      return reply.code(204).send();
    },
  );

  app.get(
    '',
    {
      schema: {
        tags: ['ratings'],
        summary: 'Your ratings, newest first',
        querystring: z.object({ page: queryInt(1, 100_000), pageSize: queryInt(1, 100) }),
        response: {
          200: Page(RatedMovie),
          ...problems(400, 401),
        },
      },
    },
    async (request) => {
      const page = request.query.page ?? 1;
      const pageSize = request.query.pageSize ?? 24;
      const viewer = await viewerOf(services, member(request));
      const all = ratedNewestFirst(catalog, viewer.ratings ?? new Map());
      const items = all.slice((page - 1) * pageSize, page * pageSize).map(([movieId, r]) => ({
        ...movieSummary(catalog, catalog.indexOf(movieId), viewer),
        rating: r.rating,
        ratedAt: isoTime(r.ratedAt),
      }));
      return { items, page, pageSize, total: all.length };
    },
  );
};

export const registerRatingRoutes: FastifyPluginAsyncZod = async (app) => {
  await app.register(ratingRoutes, { prefix: '/api/ratings' });
};
