/**
 * Message boards: boards, threads, posts. Bodies are Markdown rendered with markdown-it with raw
 * HTML disabled and only http(s)/mailto links (no script injection); links get rel="nofollow ugc
 * noopener". Posting needs a public username. Authors are shown by username only.
 */
import { randomInt } from 'node:crypto';
import MarkdownIt from 'markdown-it';
import type { Transaction } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { Database } from '../db/schema.ts';
import { isoTime, nowSeconds } from './clock.ts';
import { forbidden, notFound } from './errors.ts';

export const THREADS_PER_PAGE = 30;
export const TITLE_MAX = 200;
export const BODY_MAX = 20_000;

const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false });
markdown.validateLink = (url: string) => /^(https?:|mailto:|\/|#)/i.test(url.trim());
const defaultLinkOpen =
  markdown.renderer.rules.link_open ??
  ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
markdown.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx].attrSet('rel', 'nofollow ugc noopener');
  return defaultLinkOpen(tokens, idx, options, env, self);
};
// Images could track readers; render them as links instead.
markdown.disable('image');

export function renderMarkdown(body: string): string {
  return markdown.render(body);
}

export interface BoardSummary {
  id: number;
  slug: string;
  name: string;
  description: string;
  threads: number;
}

export async function listBoards(db: Db): Promise<BoardSummary[]> {
  const rows = await db.kysely
    .selectFrom('boards')
    .leftJoin('threads', 'threads.board_id', 'boards.id')
    .select(['boards.id', 'boards.slug', 'boards.name', 'boards.description', 'boards.position'])
    .select((eb) => eb.fn.count<number>('threads.id').as('threads'))
    .groupBy(['boards.id', 'boards.slug', 'boards.name', 'boards.description', 'boards.position'])
    .orderBy('boards.position')
    .execute();
  return rows.map((b) => ({
    id: b.id,
    slug: b.slug,
    name: b.name,
    description: b.description,
    threads: Number(b.threads),
  }));
}

/** The board called `slug`; not-found when there is none. */
export async function boardBySlug(db: Db, slug: string): Promise<BoardSummary> {
  const board = (await listBoards(db)).find((b) => b.slug === slug);
  if (!board) throw notFound(`no board called ${slug}`);
  return board;
}

export interface ThreadSummary {
  id: number;
  title: string;
  author: string | null;
  posts: number;
  createdAt: string;
  lastPostAt: string;
}

export async function listThreads(
  db: Db,
  boardId: number,
  page: number,
): Promise<{ threads: ThreadSummary[]; total: number }> {
  const rows = await db.kysely
    .selectFrom('threads')
    .leftJoin('privacy_settings', 'privacy_settings.user_id', 'threads.user_id')
    .select([
      'threads.id',
      'threads.title',
      'privacy_settings.username',
      'threads.created_at',
      'threads.last_post_at',
    ])
    .select((eb) =>
      eb
        .selectFrom('posts')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('posts.thread_id', '=', 'threads.id')
        .as('posts'),
    )
    .where('threads.board_id', '=', boardId)
    .orderBy('threads.last_post_at', 'desc')
    .orderBy('threads.id')
    .limit(THREADS_PER_PAGE)
    .offset((page - 1) * THREADS_PER_PAGE)
    .execute();
  const total = await db.kysely
    .selectFrom('threads')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('board_id', '=', boardId)
    .executeTakeFirstOrThrow();
  return {
    threads: rows.map((t) => ({
      id: t.id,
      title: t.title,
      author: t.username ?? null,
      posts: Number(t.posts),
      createdAt: isoTime(Number(t.created_at)),
      lastPostAt: isoTime(Number(t.last_post_at)),
    })),
    total: Number(total.n),
  };
}

async function usernameOf(db: Db, userId: number): Promise<string | null> {
  const row = await db.kysely
    .selectFrom('privacy_settings')
    .select('username')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.username ?? null;
}

async function requireUsername(db: Db, userId: number): Promise<void> {
  if (!(await usernameOf(db, userId))) {
    throw forbidden('choose a public username (Privacy & preferences) before posting');
  }
}

async function freshId(db: Db, table: 'threads' | 'posts'): Promise<number> {
  for (;;) {
    const id = randomInt(1, 2 ** 31 - 1);
    if (!(await db.kysely.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst()))
      return id;
  }
}

async function insertPost(
  trx: Transaction<Database>,
  post: {
    postId: number;
    threadId: number;
    userId: number;
    body: string;
    seq: number;
    now: number;
  },
): Promise<void> {
  await trx
    .insertInto('posts')
    .values({
      id: post.postId,
      thread_id: post.threadId,
      user_id: post.userId,
      body: post.body,
      seq: post.seq,
      created_at: post.now,
      edited_at: null,
    })
    .execute();
}

/** A post's times as the API shows them. */
export function postTimes(row: { created_at: number; edited_at: number | null }) {
  return {
    createdAt: isoTime(Number(row.created_at)),
    editedAt: row.edited_at === null ? null : isoTime(Number(row.edited_at)),
  };
}

export async function createThread(
  db: Db,
  userId: number,
  boardId: number,
  title: string,
  body: string,
): Promise<{ threadId: number; postId: number }> {
  await requireUsername(db, userId);
  const now = nowSeconds();
  const threadId = await freshId(db, 'threads');
  const postId = await freshId(db, 'posts');
  await db.kysely.transaction().execute(async (trx) => {
    await trx
      .insertInto('threads')
      .values({
        id: threadId,
        board_id: boardId,
        user_id: userId,
        title,
        created_at: now,
        last_post_at: now,
      })
      .execute();
    await insertPost(trx, { postId, threadId, userId, body, seq: 1, now });
  });
  return { threadId, postId };
}

export interface PostView {
  id: number;
  author: string | null;
  body: string;
  bodyHtml: string;
  createdAt: string;
  editedAt: string | null;
  mine: boolean;
}

export interface ThreadView {
  thread: {
    id: number;
    title: string;
    author: string | null;
    board: { slug: string; name: string };
    createdAt: string;
  };
  posts: PostView[];
}

/** A thread and its posts as `viewer` sees them; not-found when there is no such thread. */
export async function threadView(
  db: Db,
  threadId: number,
  viewer: number | null,
): Promise<ThreadView> {
  const thread = await db.kysely
    .selectFrom('threads')
    .innerJoin('boards', 'boards.id', 'threads.board_id')
    .leftJoin('privacy_settings', 'privacy_settings.user_id', 'threads.user_id')
    .select([
      'threads.id',
      'threads.title',
      'threads.created_at',
      'boards.slug',
      'boards.name',
      'privacy_settings.username',
    ])
    .where('threads.id', '=', threadId)
    .executeTakeFirst();
  if (!thread) throw notFound(`thread ${threadId} does not exist`);
  const posts = await db.kysely
    .selectFrom('posts')
    .leftJoin('privacy_settings', 'privacy_settings.user_id', 'posts.user_id')
    .select([
      'posts.id',
      'posts.user_id',
      'posts.body',
      'posts.created_at',
      'posts.edited_at',
      'privacy_settings.username',
    ])
    .where('posts.thread_id', '=', threadId)
    .orderBy('posts.seq')
    .orderBy('posts.id')
    .execute();
  return {
    thread: {
      id: thread.id,
      title: thread.title,
      author: thread.username ?? null,
      board: { slug: thread.slug, name: thread.name },
      createdAt: isoTime(Number(thread.created_at)),
    },
    posts: posts.map((p) => ({
      id: p.id,
      author: p.username ?? null,
      body: p.body,
      bodyHtml: renderMarkdown(p.body),
      ...postTimes(p),
      mine: viewer !== null && p.user_id === viewer,
    })),
  };
}

export async function createPost(
  db: Db,
  userId: number,
  threadId: number,
  body: string,
): Promise<number> {
  await requireUsername(db, userId);
  const thread = await db.kysely
    .selectFrom('threads')
    .select('id')
    .where('id', '=', threadId)
    .executeTakeFirst();
  if (!thread) throw notFound(`thread ${threadId} does not exist`);
  const now = nowSeconds();
  const postId = await freshId(db, 'posts');
  await db.kysely.transaction().execute(async (trx) => {
    const last = await trx
      .selectFrom('posts')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('thread_id', '=', threadId)
      .executeTakeFirst();
    const seq = Number(last?.seq ?? 0) + 1;
    await insertPost(trx, { postId, threadId, userId, body, seq, now });
    await trx
      .updateTable('threads')
      .set({ last_post_at: now })
      .where('id', '=', threadId)
      .execute();
  });
  return postId;
}

async function ownPost(db: Db, userId: number, postId: number): Promise<{ thread_id: number }> {
  const post = await db.kysely
    .selectFrom('posts')
    .select(['user_id', 'thread_id'])
    .where('id', '=', postId)
    .executeTakeFirst();
  if (!post) throw notFound(`post ${postId} does not exist`);
  if (post.user_id !== userId) throw forbidden('you can only change your own posts');
  return post;
}

export async function editPost(
  db: Db,
  userId: number,
  postId: number,
  body: string,
): Promise<PostView> {
  await ownPost(db, userId, postId);
  const now = nowSeconds();
  await db.kysely
    .updateTable('posts')
    .set({ body, edited_at: now })
    .where('id', '=', postId)
    .execute();
  const row = await db.kysely
    .selectFrom('posts')
    .selectAll()
    .where('id', '=', postId)
    .executeTakeFirstOrThrow();
  return {
    id: row.id,
    author: await usernameOf(db, userId),
    body: row.body,
    bodyHtml: renderMarkdown(row.body),
    createdAt: isoTime(Number(row.created_at)),
    editedAt: isoTime(now),
    mine: true,
  };
}

/** Deletes one of the member's posts; a thread left without posts goes too. */
export async function deletePost(db: Db, userId: number, postId: number): Promise<void> {
  const post = await ownPost(db, userId, postId);
  await db.kysely.transaction().execute(async (trx) => {
    await trx.deleteFrom('posts').where('id', '=', postId).execute();
    const left = await trx
      .selectFrom('posts')
      .select('id')
      .where('thread_id', '=', post.thread_id)
      .limit(1)
      .executeTakeFirst();
    if (!left) await trx.deleteFrom('threads').where('id', '=', post.thread_id).execute();
  });
}
