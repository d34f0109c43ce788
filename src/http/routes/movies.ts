/** The catalog: search and browse, a movie's page data, genres, onboarding picks. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { movieLinkUrls } from '../../datasets/movieLinks.ts';
import type { Catalog } from '../../services/catalog.ts';
import { invalid, notFound } from '../../services/errors.ts';
import { sharedRatingsOf } from '../../services/sharedRatings.ts';
import { MIN_PICKS, movieGroups } from '../../services/groupOnboarding.ts';
import { READY_LIST_MAX, readyLists } from '../../services/readyLists.ts';
import { MovieGroups, ReadyLists } from '../homeSchemas.ts';
import { exploreLists } from '../../services/memberLists.ts';
import { member, memberId, membersOnly, type Services } from '../context.ts';
import { logEvent, logPredictionsShown, eventActor } from '../eventHooks.ts';
import { ListName } from '../listSchemas.ts';
import {
  MovieDetail,
  MoviePage,
  MovieSummary,
  Page,
  SharedRating,
  compiledSerializer,
  idParam,
  problems,
  queryInt,
  queryText,
} from '../schemas.ts';

export type MovieSummaryBody = z.infer<typeof MovieSummary>;

/** What a page needs to know about the viewer to personalize movie summaries. */
export interface Viewer {
  ratings: MemberRatings | null;
  predict: ((catalogIndex: number) => number) | null;
}

export const ANONYMOUS: Viewer = { ratings: null, predict: null };

export async function viewerOf(services: Services, userId: number | null): Promise<Viewer> {
  if (userId === null) return ANONYMOUS;
  return {
    ratings: await services.recommender.memberRatings(userId),
    predict: await services.recommender.predictor(userId),
  };
}

export function movieSummary(catalog: Catalog, index: number, viewer: Viewer): MovieSummaryBody {
  const movie = catalog.movies[index];
  return {
    id: movie.id,
    title: movie.title,
    year: movie.year,
    genres: movie.genres,
    averageRating: catalog.average(index),
    ratingsCount: catalog.counts[index],
    predictedRating: viewer.predict ? viewer.predict(index) : null,
    yourRating: viewer.ratings?.get(movie.id)?.rating ?? null,
  };
}

type MemberRatings = Map<number, { rating: number; ratedAt: number }>;

/** A member's ratings of movies in the catalog, newest first (then by movie id). */
export function ratedNewestFirst(catalog: Catalog, ratings: MemberRatings) {
  return [...ratings.entries()]
    .filter(([movieId]) => catalog.indexOf(movieId) >= 0)
    .sort((a, b) => b[1].ratedAt - a[1].ratedAt || a[0] - b[0]);
}

const SORTS = ['popularity', 'average', 'predicted', 'title', 'year'] as const;

export const registerMovieRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  const { catalog } = services;

  app.get(
    '/api/genres',
    {
      schema: {
        tags: ['movies'],
        summary: 'Every genre in the catalog',
        response: { 200: z.array(z.string()) },
      },
    },
    async () => catalog.genres,
  );

  app.get(
    '/api/movies',
    {
      schema: {
        tags: ['movies'],
        summary: 'Search and browse movies',
        querystring: z.object({
          q: queryText(200).describe(
            'words of the title or year (accents, typos and article order forgiven)',
          ),
          genre: queryText(100),
          year: queryInt(1800, 2200),
          yearFrom: queryInt(1800, 2200),
          yearTo: queryInt(1800, 2200),
          sort: z.preprocess((v) => (v === '' ? undefined : v), z.enum(SORTS).optional()),
          list: z
            .preprocess((v) => (v === '' ? undefined : v), ListName.optional())
            .describe(
              'only your wishlist or hidden movies (members); hidden ones are left out otherwise',
            ),
          page: queryInt(1, 100_000),
          pageSize: queryInt(1, 100),
        }),
        response: { 200: MoviePage, ...problems(400, 401) },
      },
    },
    async (request) => {
      const query = request.query;
      if (
        query.yearFrom !== undefined &&
        query.yearTo !== undefined &&
        query.yearFrom > query.yearTo
      ) {
        throw invalid('yearFrom: must not be after yearTo', [
          { path: 'yearFrom', message: 'after yearTo' },
        ]);
      }
      const page = query.page ?? 1;
      const pageSize = query.pageSize ?? 24;
      const userId = memberId(request);
      const viewer = await viewerOf(services, userId);
      const lists = await exploreLists(services.db, userId, query.list);
      // Sorted "for you": the ranking model's order (the stars stay the rating model's).
      const ranker =
        query.sort === 'predicted' && userId !== null
          ? await services.recommender.ranker(userId)
          : null;
      const { indexes, total, didYouMean } = catalog.search(
        { ...query, ...lists, page, pageSize },
        ranker ?? undefined,
      );
      const items = indexes.map((i) => movieSummary(catalog, i, viewer));
      if (query.q !== undefined && query.q.trim() !== '' && page === 1) {
        logEvent(services, {
          kind: 'search',
          query: query.q,
          resultCount: total,
          ...eventActor(request),
        });
      }
      logPredictionsShown(services, request, 'explore', items);
      return { items, page, pageSize, total, didYouMean };
    },
  );

  app.get(
    '/api/movies/:id',
    {
      serializerCompiler: compiledSerializer,
      schema: {
        tags: ['movies'],
        summary:
          "A movie's page data: your rating, predicted rating, average, histogram, similar movies",
        params: z.object({ id: idParam }),
        response: { 200: MovieDetail, ...problems(400, 404) },
      },
    },
    async (request) => {
      const index = catalog.indexOf(request.params.id);
      if (index < 0) throw notFound(`movie ${request.params.id} does not exist`);
      const viewer = await viewerOf(services, memberId(request));
      const similar = services.recommender
        .similar(request.params.id, 12)
        .map((id) => catalog.indexOf(id))
        .filter((i) => i >= 0)
        .map((i) => movieSummary(catalog, i, viewer));
      const movie = movieSummary(catalog, index, viewer);
      logPredictionsShown(services, request, 'movie', [movie]);
      logPredictionsShown(services, request, 'similar', similar);
      const links = movieLinkUrls(catalog.movies[index].links);
      return { ...movie, histogram: catalog.histogram(index), similar, links };
    },
  );

  app.get(
    '/api/movies/lists',
    {
      schema: {
        tags: ['movies'],
        summary: 'The home page lists: new additions, top rated, recently released',
        querystring: z.object({ n: queryInt(1, READY_LIST_MAX) }),
        response: { 200: ReadyLists, ...problems(400) },
      },
    },
    async (request) => {
      const viewer = await viewerOf(services, memberId(request));
      const lists = readyLists(catalog);
      const n = request.query.n ?? 12;
      const summaries = (indexes: number[]) =>
        indexes.slice(0, n).map((i) => movieSummary(catalog, i, viewer));
      return {
        newAdditions: summaries(lists.newAdditions),
        topRated: summaries(lists.topRated),
        recentlyReleased: summaries(lists.recentlyReleased),
        minRatings: lists.minRatings,
      };
    },
  );

  app.get(
    '/api/movies/:id/ratings',
    {
      schema: {
        tags: ['movies'],
        summary:
          "A movie's shared ratings, newest first: public ones by username, anonymous ones unnamed",
        params: z.object({ id: idParam }),
        querystring: z.object({ page: queryInt(1, 100_000), pageSize: queryInt(1, 50) }),
        response: { 200: Page(SharedRating), ...problems(400, 404) },
      },
    },
    async (request) => {
      if (catalog.indexOf(request.params.id) < 0) {
        throw notFound(`movie ${request.params.id} does not exist`);
      }
      const { page = 1, pageSize = 10 } = request.query;
      const shared = await sharedRatingsOf(services.db, request.params.id, page, pageSize);
      return { ...shared, page, pageSize };
    },
  );

  await app.register(onboardingRoutes, { prefix: '/api/onboarding' });
};

/** /api/onboarding (members only). */
const onboardingRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  const { catalog } = services;
  membersOnly(app);

  app.get(
    '/movies',
    {
      schema: {
        tags: ['movies'],
        summary: 'Movies for a new member to rate: popular and diverse titles not yet rated',
        querystring: z.object({ n: queryInt(1, 100) }),
        response: { 200: z.array(MovieSummary), ...problems(400, 401) },
      },
    },
    async (request) => {
      const userId = member(request);
      const viewer = await viewerOf(services, userId);
      const rated = new Set(viewer.ratings?.keys() ?? []);
      const items = catalog
        .onboardingPicks(rated, request.query.n ?? 30, userId)
        .map((i) => movieSummary(catalog, i, viewer));
      logPredictionsShown(services, request, 'onboarding', items);
      return items;
    },
  );

  app.get(
    '/groups',
    {
      schema: {
        tags: ['movies'],
        summary: 'Groups of similar movies to pick from, each named by its best-known titles',
        response: { 200: MovieGroups, ...problems(401) },
      },
    },
    async (request) => {
      const viewer = await viewerOf(services, member(request));
      const groups = (await movieGroups(services)).map((group) => ({
        id: group.id,
        genre: group.genre,
        movies: group.shown.map((i) => movieSummary(catalog, i, viewer)),
      }));
      return { groups, minPicks: MIN_PICKS };
    },
  );
};
