/**
 * A member's privacy choices (public username, who sees their ratings, research consent, e-mail
 * updates), the one-click unsubscribe and the data export. (Deleting the account:
 * accountDeletion.ts.)
 */
import type { Db } from '../db/connection.ts';
import { newUnsubscribeToken } from './accounts.ts';
import { announcementsMailedTo } from './announcements.ts';
import { isoTime, nowSeconds } from './clock.ts';
import { postTimes } from './community.ts';
import { conflict } from './errors.ts';
import { readEvents } from './eventExport.ts';
import { exportGroupPicks } from './groupOnboarding.ts';
import type { EventLog } from './events.ts';
import { exportLists } from './memberLists.ts';
import { exportTags } from './tags.ts';
import { surveysOfMember } from './surveyParticipation.ts';
import type { Vault } from './vault.ts';

/**
 * Who sees a member's ratings. 'public': their profile (/u/username) and, under their username,
 * the movie pages' lists of shared ratings. 'anonymous': only those lists, as "a member", with the
 * month and no name, id or link. 'private': nobody (like every rating, they still feed the counts,
 * averages and histograms).
 */
export const RATINGS_VISIBILITIES = ['public', 'anonymous', 'private'] as const;
export type RatingsVisibility = (typeof RATINGS_VISIBILITIES)[number];
/** The choices that publish ratings: anyone can scrape them (public knowledge to an attacker). */
export const SHARED_VISIBILITIES = ['public', 'anonymous'] as const satisfies RatingsVisibility[];
/** A public username (the API's schemas check it with this). */
export const USERNAME_PATTERN = /^[a-z0-9_]{3,30}$/;

export interface Privacy {
  ratingsVisibility: RatingsVisibility;
  researchConsent: boolean;
  emailUpdates: boolean;
  username: string | null;
}

const usernameTaken = () =>
  conflict('username: this username is taken; choose another', [
    { path: 'username', message: 'taken' },
  ]);

async function ensureSettings(db: Db, userId: number): Promise<void> {
  await db.kysely
    .insertInto('privacy_settings')
    .values({
      user_id: userId,
      username: null,
      ratings_visibility: 'private',
      email_updates: 0,
      unsubscribe_token: newUnsubscribeToken(),
      updated_at: nowSeconds(),
    })
    .onConflict((oc) => oc.column('user_id').doNothing())
    .execute();
}

export async function getPrivacy(db: Db, userId: number): Promise<Privacy> {
  await ensureSettings(db, userId);
  const row = await db.kysely
    .selectFrom('privacy_settings')
    .innerJoin('users', 'users.id', 'privacy_settings.user_id')
    .select(['username', 'ratings_visibility', 'email_updates', 'users.research_consent'])
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return {
    ratingsVisibility: row.ratings_visibility as RatingsVisibility,
    researchConsent: row.research_consent === 1,
    emailUpdates: row.email_updates === 1,
    username: row.username,
  };
}

/** Applies a partial change; throws a `conflict` (nothing changed) for a taken username. */
export async function updatePrivacy(
  db: Db,
  userId: number,
  patch: Partial<Privacy>,
): Promise<Privacy> {
  await ensureSettings(db, userId);
  if (patch.username) {
    const holder = await db.kysely
      .selectFrom('privacy_settings')
      .select('user_id')
      .where('username', '=', patch.username)
      .executeTakeFirst();
    if (holder && holder.user_id !== userId) throw usernameTaken();
  }
  await db.kysely.transaction().execute(async (trx) => {
    const set: {
      username?: string | null;
      ratings_visibility?: string;
      email_updates?: number;
      updated_at: number;
    } = { updated_at: nowSeconds() };
    if (patch.username !== undefined) set.username = patch.username;
    if (patch.ratingsVisibility !== undefined) set.ratings_visibility = patch.ratingsVisibility;
    if (patch.emailUpdates !== undefined) set.email_updates = patch.emailUpdates ? 1 : 0;
    try {
      await trx.updateTable('privacy_settings').set(set).where('user_id', '=', userId).execute();
    } catch (error) {
      if (patch.username) throw usernameTaken();
      throw error;
    }
    if (patch.researchConsent !== undefined) {
      await trx
        .updateTable('users')
        .set({ research_consent: patch.researchConsent ? 1 : 0 })
        .where('id', '=', userId)
        .execute();
    }
  });
  return getPrivacy(db, userId);
}

/** The member's unsubscribe token (for the link in every e-mail). */
export async function unsubscribeToken(db: Db, userId: number): Promise<string> {
  await ensureSettings(db, userId);
  const row = await db.kysely
    .selectFrom('privacy_settings')
    .select('unsubscribe_token')
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return row.unsubscribe_token;
}

/** Turns e-mail updates off for the token's member; false when the token is unknown. */
export async function unsubscribe(db: Db, token: string): Promise<boolean> {
  const result = await db.kysely
    .updateTable('privacy_settings')
    .set({ email_updates: 0, updated_at: nowSeconds() })
    .where('unsubscribe_token', '=', token)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** A member by public username with their ratings visibility, or null. */
export async function memberByUsername(
  db: Db,
  username: string,
): Promise<{ userId: number; visibility: RatingsVisibility } | null> {
  const row = await db.kysely
    .selectFrom('privacy_settings')
    .select(['user_id', 'ratings_visibility'])
    .where('username', '=', username)
    .executeTakeFirst();
  return row
    ? { userId: row.user_id, visibility: row.ratings_visibility as RatingsVisibility }
    : null;
}

export interface MemberExport {
  exportedAt: string;
  member: { id: number; createdAt: string; origin: string };
  account: { email: string | null };
  privacy: Privacy;
  ratings: Array<{ movieId: number; title: string | null; rating: number; ratedAt: string }>;
  posts: Array<{
    id: number;
    threadId: number;
    threadTitle: string;
    body: string;
    createdAt: string;
    editedAt: string | null;
  }>;
  /** The member's research events (pseudonymous: kind, time and the kind's fields; no e-mail). */
  events: Array<{ kind: string; occurredAt: string; data: Record<string, unknown> }>;
  /** The member's experiment variants, recorded on first exposure. */
  experiments: Array<{ experiment: string; variant: string; exposedAt: string }>;
  onboardingGroups: Awaited<ReturnType<typeof exportGroupPicks>>;
  /** Movies the member wants to watch, and movies they hid ("not interested"). */
  wishlist: Array<{ movieId: number; addedAt: string }>;
  hidden: Array<{ movieId: number; addedAt: string }>;
  tags: Array<{ movieId: number; tag: string; taggedAt: string }>;
  /** The recommender the member chose, or null when they never chose (the default serves them). */
  recommenderChoice: { choice: string; chosenAt: string } | null;
  /** The surveys the member accepted or declined, with their answers. */
  surveys: Awaited<ReturnType<typeof surveysOfMember>>;
  /** The announcements mailed to the member. */
  announcements: Awaited<ReturnType<typeof announcementsMailedTo>>;
}

/**
 * Everything lenslab holds about a member, for "download my data". `events`: the event log, whose
 * queued events are written first so that the export holds them too.
 */
export async function exportMember(
  db: Db,
  vault: Vault,
  userId: number,
  events?: Pick<EventLog, 'flush'>,
): Promise<MemberExport> {
  const user = await db.kysely
    .selectFrom('users')
    .select(['id', 'created_at', 'origin'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  const ratings = await db.kysely
    .selectFrom('ratings')
    .leftJoin('movies', 'movies.id', 'ratings.movie_id')
    .select(['ratings.movie_id', 'movies.title', 'ratings.rating', 'ratings.rated_at'])
    .where('ratings.user_id', '=', userId)
    .orderBy('ratings.rated_at')
    .execute();
  const posts = await db.kysely
    .selectFrom('posts')
    .innerJoin('threads', 'threads.id', 'posts.thread_id')
    .select([
      'posts.id',
      'posts.thread_id',
      'threads.title',
      'posts.body',
      'posts.created_at',
      'posts.edited_at',
    ])
    .where('posts.user_id', '=', userId)
    .orderBy('posts.created_at')
    .orderBy('posts.seq')
    .execute();
  await events?.flush();
  const memberEvents: MemberExport['events'] = [];
  for await (const event of readEvents(db, { memberId: userId }))
    memberEvents.push({
      kind: event.kind,
      occurredAt: new Date(event.occurredAt).toISOString(),
      data: event.data,
    });
  const assignments = await db.kysely
    .selectFrom('experiment_assignments as a')
    .innerJoin('experiments as e', 'e.id', 'a.experiment_id')
    .select(['e.name', 'a.variant', 'a.exposed_at_ms'])
    .where('a.user_id', '=', userId)
    .orderBy('a.exposed_at_ms')
    .orderBy('e.name')
    .execute();
  const choice = await db.kysely
    .selectFrom('recommender_choices')
    .select(['choice', 'chosen_at_ms'])
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return {
    exportedAt: new Date().toISOString(),
    member: { id: user.id, createdAt: isoTime(Number(user.created_at)), origin: user.origin },
    account: { email: await vault.emailOf(db, userId) },
    privacy: await getPrivacy(db, userId),
    ratings: ratings.map((r) => ({
      movieId: r.movie_id,
      title: r.title,
      rating: Number(r.rating),
      ratedAt: isoTime(Number(r.rated_at)),
    })),
    posts: posts.map((p) => ({
      id: p.id,
      threadId: p.thread_id,
      threadTitle: p.title,
      body: p.body,
      ...postTimes(p),
    })),
    events: memberEvents,
    experiments: assignments.map((a) => ({
      experiment: a.name,
      variant: a.variant,
      exposedAt: new Date(Number(a.exposed_at_ms)).toISOString(),
    })),
    onboardingGroups: await exportGroupPicks(db, userId),
    ...(await exportLists(db, userId)),
    tags: await exportTags(db, userId),
    recommenderChoice: choice
      ? { choice: choice.choice, chosenAt: new Date(Number(choice.chosen_at_ms)).toISOString() }
      : null,
    surveys: await surveysOfMember(db, userId),
    announcements: await announcementsMailedTo(db, userId),
  };
}
