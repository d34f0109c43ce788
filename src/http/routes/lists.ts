/** Member lists (/api/lists: wishlist and hidden movies) and tags (/api/tags, a movie's tags). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { addToList, listedMovies, listOf, removeFromList } from '../../services/memberLists.ts';
import { movieTags, moviesWithTag, searchTags, tagMovie, untagMovie } from '../../services/tags.ts';
import { member, memberId, membersOnly } from '../context.ts';
import {
  ListName,
  MemberLists,
  MovieListState,
  MovieTags,
  TagCount,
  TagPage,
} from '../listSchemas.ts';
import { idParam, problems, queryInt } from '../schemas.ts';
import { movieSummary, viewerOf } from './movies.ts';

const movieParams = z.object({ id: idParam });

/** /api/lists (members only). */
const listRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  const { db, catalog } = services;
  const workflow = { db, catalog, changes: services.changes };
  membersOnly(app);

  app.get(
    '',
    {
      schema: {
        tags: ['lists'],
        summary: 'Your wishlist and hidden movies, newest first',
        response: { 200: MemberLists, ...problems(401) },
      },
    },
    async (request) => {
      const userId = member(request);
      const viewer = await viewerOf(services, userId);
      const rows = await listedMovies(db, userId);
      const of = (list: string) =>
        rows
          .filter((row) => row.list === list && catalog.indexOf(row.movieId) >= 0)
          .map((row) => movieSummary(catalog, catalog.indexOf(row.movieId), viewer));
      return { wishlist: of('wishlist'), hidden: of('hidden') };
    },
  );

  app.get(
    '/movies/:movieId',
    {
      schema: {
        tags: ['lists'],
        summary: 'Which of your lists a movie is on',
        params: z.object({ movieId: idParam }),
        response: { 200: MovieListState, ...problems(400, 401) },
      },
    },
    async (request) => ({ list: await listOf(db, member(request), request.params.movieId) }),
  );

  const params = z.object({ list: ListName, movieId: idParam });
  app.put(
    '/:list/:movieId',
    {
      schema: {
        tags: ['lists'],
        summary: 'Put a movie on your wishlist or hide it (it leaves the other list)',
        params,
        response: { 204: z.undefined(), ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { list, movieId } = request.params;
      await addToList(workflow, member(request), movieId, list);
      return reply.code(204).send();
    },
  );

  app.delete(
    '/:list/:movieId',
    {
      schema: {
        tags: ['lists'],
        summary: 'Take a movie off your wishlist or unhide it',
        params,
        response: { 204: z.undefined(), ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { list, movieId } = request.params;
      await removeFromList(workflow, member(request), movieId, list);
      return reply.code(204).send();
    },
  );
};

/** Adding and deleting one's own tags (members only). */
const memberTagRoutes: FastifyPluginAsyncZod = async (members) => {
  const services = members.services;
  membersOnly(members);
  members.post(
    '/movies/:id/tags',
    {
      schema: {
        tags: ['tags'],
        summary: 'Tag a movie',
        description:
          'The tag is trimmed and NFKC-normalized, 1–64 characters, matched case-insensitively; text holding an e-mail address is refused (400 naming `tag`). At most 1,000 tags per member and 30 new tags a minute (429).',
        params: movieParams,
        body: z.object({ tag: z.string().max(1000) }),
        response: { 201: z.object({ tag: z.string() }), ...problems(400, 401, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const { tag } = await tagMovie(
        services,
        member(request),
        request.params.id,
        request.body.tag,
      );
      return reply.code(201).send({ tag });
    },
  );
  members.delete(
    '/movies/:id/tags/:tag',
    {
      schema: {
        tags: ['tags'],
        summary: 'Delete your own tag of a movie (404 when you have no such tag)',
        params: movieParams.extend({ tag: z.string().min(1).max(1000) }),
        response: { 204: z.undefined(), ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await untagMovie(services.db, member(request), request.params.id, request.params.tag);
      return reply.code(204).send();
    },
  );
};

/** Tags: anyone reads counts and tag pages; members add and delete their own. */
const tagRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  const { db, catalog } = services;

  app.get(
    '/movies/:id/tags',
    {
      schema: {
        tags: ['tags'],
        summary: "A movie's tags with how many members gave each (never who), and yours",
        params: movieParams,
        response: { 200: MovieTags, ...problems(400) },
      },
    },
    async (request) => movieTags(db, request.params.id, memberId(request)),
  );

  await app.register(memberTagRoutes);

  app.get(
    '/tags',
    {
      schema: {
        tags: ['tags'],
        summary: 'Tags starting with q (case-insensitive), most used first, with counts',
        querystring: z.object({ q: z.string().max(64).default(''), limit: queryInt(1, 100) }),
        response: { 200: z.array(TagCount), ...problems(400) },
      },
    },
    async (request) => searchTags(db, request.query.q, request.query.limit ?? 20),
  );

  app.get(
    '/tags/:tag',
    {
      schema: {
        tags: ['tags'],
        summary: 'Movies with a tag, most tagged first',
        params: z.object({ tag: z.string().min(1).max(1000) }),
        response: { 200: TagPage, ...problems(400) },
      },
    },
    async (request) => {
      const viewer = await viewerOf(services, memberId(request));
      const { tag, movies } = await moviesWithTag(db, request.params.tag);
      const items = movies
        .filter((m) => catalog.indexOf(m.movieId) >= 0)
        .map((m) => ({
          ...movieSummary(catalog, catalog.indexOf(m.movieId), viewer),
          tagCount: m.count,
        }));
      return { tag, items: items.slice(0, 200), total: items.length };
    },
  );
};

export const registerListRoutes: FastifyPluginAsyncZod = async (app) => {
  await app.register(listRoutes, { prefix: '/api/lists' });
  await app.register(tagRoutes, { prefix: '/api' });
};
