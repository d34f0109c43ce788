/** Personal recommendations with predicted ratings and "because you rated …". */
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { excludedFromRecommendations } from '../../services/memberLists.ts';
import type { ModelInfo } from '../../services/recommendations.ts';
import { member, membersOnly } from '../context.ts';
import { logPredictionsShown } from '../eventHooks.ts';
import { Recommendation, compiledSerializer, problems, queryInt, queryText } from '../schemas.ts';
import { movieSummary, type Viewer } from './movies.ts';

const RecommendationList = z.object({
  items: z.array(Recommendation),
  model: z.object({ algorithm: z.string(), version: z.string() }),
});
type RecommendationListBody = z.infer<typeof RecommendationList>;
const serializeList = compiledSerializer({ schema: RecommendationList });

/** Sends a body serialized by serializeList (Fastify sends a Buffer as it is). */
function sendSerialized(reply: FastifyReply, body: Buffer): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(body);
}

/**
 * A member's serialized list, kept with their recommender state (dropped when they rate or the
 * model changes) and served again while none of its movies' statistics changed.
 */
interface CachedList {
  /** Encoded once, so serving it again copies nothing. */
  body: Buffer;
  items: RecommendationListBody['items'];
  model: ModelInfo;
  /** Catalog indexes of the listed movies, and the catalog's version when the list was built. */
  movieIndexes: Int32Array;
  catalogVersion: number;
}

/** /api/recommendations (members only). */
const recommendationRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  const { catalog } = services;
  membersOnly(app);

  app.get(
    '',
    {
      serializerCompiler: compiledSerializer,
      schema: {
        tags: ['recommendations'],
        summary: 'Your top movies from the newest model, folded in with your current ratings',
        querystring: z.object({ n: queryInt(1, 100), genre: queryText(100) }),
        response: { 200: RecommendationList, ...problems(400, 401) },
      },
    },
    async (request, reply) => {
      const userId = member(request);
      const n = request.query.n ?? 20;
      const genre = request.query.genre;
      // A member in a `recommender` experiment is served by their variant's model.
      const recommender = await services.research.variants.recommenderFor(userId);
      // Member lists (#16): wishlist and hidden movies are never recommended.
      const excluded = await excludedFromRecommendations(services.db, userId);
      const key = `${n}|${genre ?? ''}|${[...excluded].sort((a, b) => a - b).join(',')}`;
      const version = await recommender.memberVersion(userId);
      const cached = recommender.cachedPage<CachedList>(userId, key, version);
      if (cached && catalog.unchangedSince(cached.movieIndexes, cached.catalogVersion)) {
        logPredictionsShown(services, request, 'recommendations', cached.items, cached.model);
        return sendSerialized(reply, cached.body);
      }
      // The viewer's own ratings (for "because you rated"); the predictions come with the list.
      const viewer: Viewer = {
        ratings: await services.recommender.memberRatings(userId),
        predict: null,
      };
      // Member lists (#16): ask for as many more as are excluded, then drop those.
      const recommendations = (await recommender.recommend(userId, n + excluded.size, genre))
        .filter((recommendation) => !excluded.has(recommendation.movieId))
        .slice(0, n);
      const catalogVersion = catalog.version;
      const items: RecommendationListBody['items'] = [];
      const movieIndexes: number[] = [];
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
        movieIndexes.push(index);
      }
      const model = recommender.modelInfo;
      const body = Buffer.from(serializeList({ items, model }));
      recommender.cachePage<CachedList>(userId, key, version, {
        body,
        items,
        model,
        movieIndexes: Int32Array.from(movieIndexes),
        catalogVersion,
      });
      logPredictionsShown(services, request, 'recommendations', items, model);
      return sendSerialized(reply, body);
    },
  );
};

export const registerRecommendationRoutes: FastifyPluginAsyncZod = async (app) => {
  await app.register(recommendationRoutes, { prefix: '/api/recommendations' });
};
