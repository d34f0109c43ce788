/**
 * Personal recommendations (members only): lists ranked by the ranking model under the member's
 * chosen recommender, stars from the rating model, "because you rated …"; the home page's lists
 * without repeats; the member's choice of recommender.
 */
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { memberHome } from '../../services/homePage.ts';
import { chooseRecommender } from '../../services/recommenderChoice.ts';
import {
  RECOMMENDER_CHOICE_LABELS,
  RECOMMENDER_CHOICES,
} from '../../services/recommenderChoices.ts';
import type { ModelInfo, Recommendation as Served } from '../../services/recommendations.ts';
import type { Services } from '../context.ts';
import { member, membersOnly } from '../context.ts';
import { logPredictionsShown } from '../eventHooks.ts';
import {
  MemberHome,
  RecommendationList,
  RecommenderChoiceState,
  compiledSerializer,
  problems,
  queryInt,
  queryText,
} from '../schemas.ts';
import { movieSummary, type Viewer } from './movies.ts';

type RecommendationListBody = z.infer<typeof RecommendationList>;
const serializeList = compiledSerializer({ schema: RecommendationList });

/** Sends a body serialized by serializeList (Fastify sends a Buffer as it is). */
function sendSerialized(reply: FastifyReply, body: Buffer): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(body);
}

/**
 * A member's serialized list, kept with their recommender state (dropped when they rate, choose
 * or a model changes) and served again while none of its movies' statistics changed.
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

/** The API items of served recommendations (movies no longer in the catalog left out). */
async function presented(
  services: Services,
  userId: number,
  recommendations: readonly Served[],
): Promise<{ items: RecommendationListBody['items']; movieIndexes: number[] }> {
  const { catalog } = services;
  // The viewer's own ratings (for "because you rated"); the predictions come with the list.
  const viewer: Viewer = {
    ratings: await services.recommender.memberRatings(userId),
    predict: null,
  };
  const items: RecommendationListBody['items'] = [];
  const movieIndexes: number[] = [];
  for (const recommendation of recommendations) {
    const index = catalog.indexOf(recommendation.movieId);
    if (index < 0) continue;
    const because = recommendation.becauseYouRated
      .map((id) => ({ id, index: catalog.indexOf(id), rating: viewer.ratings?.get(id)?.rating }))
      .filter((b) => b.index >= 0 && b.rating !== undefined)
      .map((b) => ({ id: b.id, title: catalog.movies[b.index].title, yourRating: b.rating! }));
    items.push({
      ...movieSummary(catalog, index, viewer),
      predictedRating: recommendation.predictedRating,
      reason: because.length > 0 ? { becauseYouRated: because } : null,
    });
    movieIndexes.push(index);
  }
  return { items, movieIndexes };
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
        summary: 'Your top movies: ranked by the ranking model, stars from the rating model',
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
      // Wishlist and hidden movies (#16) are never recommended: the recommender keeps them with
      // the member's state, whose version changes with them.
      const key = `${n}|${genre ?? ''}`;
      const version = await recommender.memberVersion(userId);
      const cached = recommender.cachedPage<CachedList>(userId, key, version);
      if (cached && catalog.unchangedSince(cached.movieIndexes, cached.catalogVersion)) {
        logPredictionsShown(services, request, 'recommendations', cached.items, cached.model);
        return sendSerialized(reply, cached.body);
      }
      const recommendations = await recommender.recommend(userId, n, { genre });
      const catalogVersion = catalog.version;
      const { items, movieIndexes } = await presented(services, userId, recommendations);
      const model = recommender.modelInfo;
      const ranking = recommender.rankingInfo;
      const choice = await recommender.choiceOf(userId);
      const body = Buffer.from(serializeList({ items, model, ranking, choice }));
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

  app.get(
    '/home',
    {
      schema: {
        tags: ['recommendations'],
        summary: 'Your home page: top picks, then genre shelves that repeat no movie shown above',
        response: { 200: MemberHome, ...problems(401) },
      },
    },
    async (request) => {
      const userId = member(request);
      const recommender = await services.research.variants.recommenderFor(userId);
      const home = await memberHome(recommender, catalog, userId);
      const topPicks = (await presented(services, userId, home.topPicks)).items;
      const shelves = [];
      for (const shelf of home.shelves)
        shelves.push({
          genre: shelf.genre,
          items: (await presented(services, userId, shelf.items)).items,
        });
      const model = recommender.modelInfo;
      const shown = [...topPicks, ...shelves.flatMap((shelf) => shelf.items)];
      logPredictionsShown(services, request, 'recommendations', shown, model);
      return {
        topPicks,
        shelves,
        model,
        ranking: recommender.rankingInfo,
        choice: await recommender.choiceOf(userId),
      };
    },
  );

  const choices = RECOMMENDER_CHOICES.map((name) => ({ name, ...RECOMMENDER_CHOICE_LABELS[name] }));

  app.get(
    '/choice',
    {
      schema: {
        tags: ['recommendations'],
        summary: 'The recommender you chose, and the ones you can choose',
        response: { 200: RecommenderChoiceState, ...problems(401) },
      },
    },
    async (request) => ({
      choice: await services.recommender.choiceOf(member(request)),
      choices,
    }),
  );

  app.put(
    '/choice',
    {
      schema: {
        tags: ['recommendations'],
        summary: 'Choose your recommender (remembered; the choice is logged for research)',
        body: z.object({ choice: z.string().max(100) }),
        response: { 200: RecommenderChoiceState, ...problems(400, 401, 403) },
      },
    },
    async (request) => ({
      choice: await chooseRecommender(
        services.db,
        services.changes,
        member(request),
        request.body.choice,
      ),
      choices,
    }),
  );
};

export const registerRecommendationRoutes: FastifyPluginAsyncZod = async (app) => {
  await app.register(recommendationRoutes, { prefix: '/api/recommendations' });
};
