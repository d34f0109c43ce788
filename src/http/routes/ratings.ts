/** A member's ratings: set, remove, list. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isoTime } from '../../services/clock.ts';
import { deleteRating, putRating } from '../../services/ratings.ts';
import { requireMember } from '../context.ts';
import { logEvent } from '../eventHooks.ts';
import { HttpProblem } from '../problem.ts';
import { ratingChangedForVariants } from '../recommenderVariants.ts';
import { Problem, RatedMovie, compiledSerializer, idParam, queryInt } from '../schemas.ts';
import { movieSummary, viewerOf } from './movies.ts';

export const registerRatingRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  const { catalog, recommender, db } = services;

  app.put(
    '/api/ratings/:movieId',
    {
      serializerCompiler: compiledSerializer,
      schema: {
        tags: ['ratings'],
        summary:
          'Rate a movie (whole stars 1–5); your recommendations change on the next page view',
        params: z.object({ movieId: idParam }),
        body: z.object({
          rating: z
            .number()
            .int('must be a whole number from 1 to 5')
            .min(1, 'must be a whole number from 1 to 5')
            .max(5, 'must be a whole number from 1 to 5'),
        }),
        response: {
          200: z.object({ movieId: z.number().int(), rating: z.number(), ratedAt: z.string() }),
          400: Problem,
          401: Problem,
          403: Problem,
          404: Problem,
        },
      },
    },
    async (request) => {
      const userId = requireMember(request);
      const { movieId } = request.params;
      if (catalog.indexOf(movieId) < 0)
        throw new HttpProblem(404, `movie ${movieId} does not exist`);
      const { previous, stored } = await putRating(db, userId, movieId, request.body.rating);
      catalog.applyRatingChange(movieId, previous, stored.rating);
      recommender.onRatingChanged(userId, movieId, stored.rating, stored.ratedAt);
      ratingChangedForVariants(services, userId, movieId, stored.rating, stored.ratedAt);
      logEvent(services, {
        kind: 'rating',
        memberId: userId,
        movieId,
        rating: stored.rating,
        previousRating: previous,
      });
      return { movieId, rating: stored.rating, ratedAt: isoTime(stored.ratedAt) };
    },
  );

  app.delete(
    '/api/ratings/:movieId',
    {
      schema: {
        tags: ['ratings'],
        summary: 'Remove your rating of a movie',
        params: z.object({ movieId: idParam }),
        response: { 204: z.undefined(), 400: Problem, 401: Problem, 403: Problem, 404: Problem },
      },
    },
    async (request, reply) => {
      const userId = requireMember(request);
      const { movieId } = request.params;
      const previous = await deleteRating(db, userId, movieId);
      if (previous === null) throw new HttpProblem(404, `you have not rated movie ${movieId}`);
      catalog.applyRatingChange(movieId, previous, null);
      recommender.onRatingChanged(userId, movieId, null, 0);
      ratingChangedForVariants(services, userId, movieId, null, 0);
      logEvent(services, {
        kind: 'rating',
        memberId: userId,
        movieId,
        rating: null,
        previousRating: previous,
      });
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/ratings',
    {
      schema: {
        tags: ['ratings'],
        summary: 'Your ratings, newest first',
        querystring: z.object({ page: queryInt(1, 100_000), pageSize: queryInt(1, 100) }),
        response: {
          200: z.object({
            items: z.array(RatedMovie),
            page: z.number().int(),
            pageSize: z.number().int(),
            total: z.number().int(),
          }),
          400: Problem,
          401: Problem,
        },
      },
    },
    async (request) => {
      const userId = requireMember(request);
      const page = request.query.page ?? 1;
      const pageSize = request.query.pageSize ?? 24;
      const viewer = await viewerOf(services, userId);
      const all = [...(viewer.ratings ?? new Map()).entries()]
        .filter(([movieId]) => catalog.indexOf(movieId) >= 0)
        .sort((a, b) => b[1].ratedAt - a[1].ratedAt || a[0] - b[0]);
      const items = all.slice((page - 1) * pageSize, page * pageSize).map(([movieId, r]) => ({
        ...movieSummary(catalog, catalog.indexOf(movieId), viewer),
        rating: r.rating,
        ratedAt: isoTime(r.ratedAt),
      }));
      return { items, page, pageSize, total: all.length };
    },
  );
};
