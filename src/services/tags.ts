/**
 * Tags members put on movies. A tag is text a member wrote: trimmed and NFKC-normalized,
 * 1–64 characters, matched lower-cased but shown as written, never an e-mail address. Tags are
 * shown without who wrote them (counts only); a member sees and deletes only their own.
 */
import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import { containsEmailAddress } from '../privacy/emailText.ts';
import type { Catalog } from './catalog.ts';
import { isoTime, nowSeconds } from './clock.ts';
import { conflict, invalid, notFound, rateLimited } from './errors.ts';
import type { Throttles } from './throttles.ts';

export const TAG_MAX_LENGTH = 64;
/** Tags one member may hold in all. */
export const TAGS_PER_MEMBER = 1000;
/** New tags one member may add per minute (shared by every server process). */
export const TAGS_PER_MINUTE = 30;

export interface TagText {
  /** As written (trimmed, NFKC). */
  tag: string;
  /** How it is matched: lower-cased. */
  key: string;
}

/** NFKC, trimmed, runs of white space as one space. */
function cleanTag(raw: string): string {
  return raw.normalize('NFKC').trim().replace(/\s+/g, ' ');
}

/** The key a tag is matched by. */
export function tagKey(raw: string): string {
  return cleanTag(raw).toLowerCase();
}

/** Checks and normalizes a tag; throws `invalid` naming the field `tag`. */
export function normalizeTag(raw: string): TagText {
  const tag = cleanTag(raw);
  const wrong = (message: string) => invalid(`tag: ${message}`);
  if (tag.length === 0) throw wrong('must not be empty');
  if ([...tag].length > TAG_MAX_LENGTH) throw wrong(`must be at most ${TAG_MAX_LENGTH} characters`);
  if (/\p{Cc}/u.test(tag)) throw wrong('must not contain control characters');
  if (containsEmailAddress(tag)) throw wrong('must not contain an e-mail address');
  return { tag, key: tag.toLowerCase() };
}

export interface TagWorkflow {
  db: Db;
  catalog: Catalog;
  throttles: Throttles;
}

/** Tags a movie for the member (tagging again with the same tag changes nothing). */
export async function tagMovie(
  { db, catalog, throttles }: TagWorkflow,
  memberId: number,
  movieId: number,
  raw: string,
): Promise<TagText> {
  if (catalog.indexOf(movieId) < 0) throw notFound(`movie ${movieId} does not exist`);
  const text = normalizeTag(raw);
  const hits = await throttles.hit('tags', String(memberId), 60_000, Date.now());
  if (hits > TAGS_PER_MINUTE)
    throw rateLimited(`you added more than ${TAGS_PER_MINUTE} tags in a minute; wait a little`);
  const held = await db.kysely
    .selectFrom('tags')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', memberId)
    .executeTakeFirstOrThrow();
  if (Number(held.n) >= TAGS_PER_MEMBER)
    throw conflict(
      `tag: you hold ${TAGS_PER_MEMBER} tags, the most a member may; delete some first`,
      [{ path: 'tag', message: 'too many tags' }],
    );
  await db.kysely
    .insertInto('tags')
    .values({
      user_id: memberId,
      movie_id: movieId,
      tag_key: text.key,
      tag: text.tag,
      tagged_at: nowSeconds(),
    })
    .onConflict((c) => c.columns(['user_id', 'movie_id', 'tag_key']).doNothing())
    .execute();
  return text;
}

/** Deletes the member's own tag of a movie (not found when they have no such tag). */
export async function untagMovie(
  db: Db,
  memberId: number,
  movieId: number,
  raw: string,
): Promise<void> {
  const key = tagKey(raw);
  const result = await db.kysely
    .deleteFrom('tags')
    .where('user_id', '=', memberId)
    .where('movie_id', '=', movieId)
    .where('tag_key', '=', key)
    .executeTakeFirst();
  if (Number(result.numDeletedRows) === 0)
    throw notFound(`you have no tag "${raw}" on movie ${movieId}`);
}

export interface TagCount {
  tag: string;
  count: number;
}

/** The tags of a movie with how many members gave each; `mine`: the member's own. */
export async function movieTags(
  db: Db,
  movieId: number,
  memberId: number | null,
): Promise<{ tags: TagCount[]; mine: string[] }> {
  const rows = await db.kysely
    .selectFrom('tags')
    .select((eb) => ['tag_key', eb.fn.min('tag').as('tag'), eb.fn.countAll<number>().as('count')])
    .where('movie_id', '=', movieId)
    .groupBy('tag_key')
    .orderBy('count', 'desc')
    .orderBy('tag_key')
    .execute();
  const mine =
    memberId === null
      ? []
      : await db.kysely
          .selectFrom('tags')
          .select('tag')
          .where('movie_id', '=', movieId)
          .where('user_id', '=', memberId)
          .orderBy('tag_key')
          .execute();
  return {
    tags: rows.map((row) => ({ tag: row.tag, count: Number(row.count) })),
    mine: mine.map((row) => row.tag),
  };
}

/** Tags starting with a prefix (matched lower-cased), most used first. */
export async function searchTags(db: Db, prefix: string, limit: number): Promise<TagCount[]> {
  const key = tagKey(prefix);
  const pattern = `${key.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await db.kysely
    .selectFrom('tags')
    .select((eb) => [eb.fn.min('tag').as('tag'), eb.fn.countAll<number>().as('count')])
    .where(sql<boolean>`tag_key LIKE ${pattern} ESCAPE '\\'`)
    .groupBy('tag_key')
    .orderBy('count', 'desc')
    .orderBy('tag_key')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ tag: row.tag, count: Number(row.count) }));
}

/** Movies with a tag, most tagged first (then by movie id), with how many members gave it. */
export async function moviesWithTag(
  db: Db,
  raw: string,
): Promise<{ tag: string; movies: Array<{ movieId: number; count: number }> }> {
  const key = tagKey(raw);
  const rows = await db.kysely
    .selectFrom('tags')
    .select((eb) => ['movie_id', eb.fn.min('tag').as('tag'), eb.fn.countAll<number>().as('count')])
    .where('tag_key', '=', key)
    .groupBy('movie_id')
    .orderBy('count', 'desc')
    .orderBy('movie_id')
    .execute();
  return {
    tag: rows[0]?.tag ?? raw.trim(),
    movies: rows.map((row) => ({ movieId: row.movie_id, count: Number(row.count) })),
  };
}

/** The member's tags as the data export shows them. */
export async function exportTags(
  db: Db,
  memberId: number,
): Promise<Array<{ movieId: number; tag: string; taggedAt: string }>> {
  const rows = await db.kysely
    .selectFrom('tags')
    .select(['movie_id', 'tag', 'tagged_at'])
    .where('user_id', '=', memberId)
    .orderBy('tagged_at')
    .orderBy('movie_id')
    .orderBy('tag_key')
    .execute();
  return rows.map((row) => ({
    movieId: row.movie_id,
    tag: row.tag,
    taggedAt: isoTime(Number(row.tagged_at)),
  }));
}
