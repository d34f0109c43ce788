/** Personal recommendations with predicted ratings and "because you rated …". */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireMember } from '../context.ts';
import { logPredictionsShown } from '../eventHooks.ts';
import { recommenderFor } from '../recommenderVariants.ts';
import { Problem, Recommendation, queryInt, queryText } from '../schemas.ts';
import { movieSummary, viewerOf } from './movies.ts';

export const registerRecommendationRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  const { catalog } = services;

  app.get(
    '/api/recommendations',
    {
      schema: {
        tags: ['recommendations'],
        summary: 'Your top movies from the newest model, folded in with your current ratings',
        querystring: z.object({ n: queryInt(1, 100), genre: queryText(100) }),
        response: {
          200: z.object({
            items: z.array(Recommendation),
            model: z.object({ algorithm: z.string(), version: z.string() }),
          }),
          400: Problem,
          401: Problem,
        },
      },
    },
    async (request) => {
      const userId = requireMember(request);
      const viewer = await viewerOf(services, userId);
      // A member in a `recommender` experiment is served by their variant's model.
      const recommender = await recommenderFor(services, userId);
      const recommendations = await recommender.recommend(
        userId,
        request.query.n ?? 20,
        request.query.genre,
      );
      const items = [];
      for (const recommendation of recommendations) {
        const index = catalog.indexOf(recommendation.movieId);
        if (index < 0) continue;
        const because = recommendation.becauseYouRated
          .map((id) => ({
            id,
            index: catalog.indexOf(id),
            rating: viewer.ratings?.get(id)?.rating,
          }))
          .filter((b) => b.index >= 0 && b.rating !== undefined)
          .map((b) => ({ id: b.id, title: catalog.movies[b.index].title, yourRating: b.rating! }));
        items.push({
          ...movieSummary(catalog, index, viewer),
          predictedRating: recommendation.predictedRating,
          reason: because.length > 0 ? { becauseYouRated: because } : null,
        });
      }
      logPredictionsShown(services, request, 'recommendations', items, recommender.modelInfo);
      return { items, model: recommender.modelInfo };
    },
  );
};
