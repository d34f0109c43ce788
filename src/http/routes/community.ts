/** Message boards: boards, threads, posts (Markdown rendered safely). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  BODY_MAX,
  TITLE_MAX,
  boardBySlug,
  createPost,
  createThread,
  deletePost,
  editPost,
  listBoards,
  listThreads,
  threadView,
} from '../../services/community.ts';
import { member, memberId, membersOnly } from '../context.ts';
import { idParam, problems, queryInt } from '../schemas.ts';

const Board = z.object({
  id: z.number().int(),
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  threads: z.number().int(),
});
const Body = z.string().trim().min(1, 'must not be empty').max(BODY_MAX).describe('Markdown');
const Post = z.object({
  id: z.number().int(),
  author: z.string().nullable(),
  body: z.string(),
  bodyHtml: z.string(),
  createdAt: z.string(),
  editedAt: z.string().nullable(),
  mine: z.boolean(),
});
const Slug = z.string().regex(/^[a-z0-9-]{1,60}$/, 'must be a board slug');

const readingRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app.services;

  app.get(
    '/api/boards',
    { schema: { tags: ['community'], summary: 'Every board', response: { 200: z.array(Board) } } },
    async () => listBoards(db),
  );

  app.get(
    '/api/boards/:slug',
    {
      schema: {
        tags: ['community'],
        summary: "A board's threads, most recently active first (30 a page)",
        params: z.object({ slug: Slug }),
        querystring: z.object({ page: queryInt(1, 100_000) }),
        response: {
          200: z.object({
            board: Board,
            threads: z.array(
              z.object({
                id: z.number().int(),
                title: z.string(),
                author: z.string().nullable(),
                posts: z.number().int(),
                createdAt: z.string(),
                lastPostAt: z.string(),
              }),
            ),
            page: z.number().int(),
            total: z.number().int(),
          }),
          ...problems(400, 404),
        },
      },
    },
    async (request) => {
      const board = await boardBySlug(db, request.params.slug);
      const page = request.query.page ?? 1;
      const { threads, total } = await listThreads(db, board.id, page);
      return { board, threads, page, total };
    },
  );

  app.get(
    '/api/threads/:id',
    {
      schema: {
        tags: ['community'],
        summary: 'A thread and its posts',
        params: z.object({ id: idParam }),
        response: {
          200: z.object({
            thread: z.object({
              id: z.number().int(),
              title: z.string(),
              author: z.string().nullable(),
              board: z.object({ slug: z.string(), name: z.string() }),
              createdAt: z.string(),
            }),
            posts: z.array(Post),
          }),
          ...problems(400, 404),
        },
      },
    },
    async (request) => {
      return threadView(db, request.params.id, memberId(request));
    },
  );
};

/** Starting threads, replying, editing and deleting one's posts. */
const postingRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app.services;
  membersOnly(app);

  app.post(
    '/api/boards/:slug/threads',
    {
      schema: {
        tags: ['community'],
        summary: 'Start a thread (needs a public username)',
        params: z.object({ slug: Slug }),
        body: z.object({
          title: z.string().trim().min(1, 'must not be empty').max(TITLE_MAX),
          body: Body,
        }),
        response: {
          201: z.object({ id: z.number().int(), postId: z.number().int() }),
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const board = await boardBySlug(db, request.params.slug);
      const { title, body } = request.body;
      const { threadId, postId } = await createThread(db, member(request), board.id, title, body);
      return reply.code(201).send({ id: threadId, postId });
    },
  );

  app.post(
    '/api/threads/:id/posts',
    {
      schema: {
        tags: ['community'],
        summary: 'Reply in a thread (needs a public username)',
        params: z.object({ id: idParam }),
        body: z.object({ body: Body }),
        response: {
          201: z.object({ id: z.number().int() }),
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const id = await createPost(db, member(request), request.params.id, request.body.body);
      return reply.code(201).send({ id });
    },
  );

  app.patch(
    '/api/posts/:id',
    {
      schema: {
        tags: ['community'],
        summary: 'Edit your post',
        params: z.object({ id: idParam }),
        body: z.object({ body: Body }),
        response: { 200: Post, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => editPost(db, member(request), request.params.id, request.body.body),
  );

  app.delete(
    '/api/posts/:id',
    {
      schema: {
        tags: ['community'],
        summary: 'Delete your post (a thread left empty goes too)',
        params: z.object({ id: idParam }),
        response: { 204: z.undefined(), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await deletePost(db, member(request), request.params.id);
      return reply.code(204).send();
    },
  );
};

export const registerCommunityRoutes: FastifyPluginAsyncZod = async (app) => {
  await app.register(readingRoutes);
  await app.register(postingRoutes);
};
