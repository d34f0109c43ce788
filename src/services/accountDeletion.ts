/**
 * Deleting an account (DESIGN: "deleting an account removes the member's identity, ratings,
 * events and posts"): one transaction deletes the identity (through the vault), the ratings,
 * research events, experiment assignments, sessions, privacy settings, reset links, onboarding
 * group picks, wishlist and hidden movies, tags, the recommender choice, survey answers, the
 * record of announcements mailed, posts and the threads nobody else posted in (threads with
 * replies of others stay, without an author); after it commits, every MemberChanges listener
 * forgets the member (catalog statistics, recommender and variant models, session cache, event
 * log), on every app node (the transaction writes the change log's note). Rows that reference the member and are not named here (roles, pending address changes)
 * go by the foreign keys' cascade.
 */
import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { Database } from '../db/schema.ts';
import { writeNote } from './changeLog.ts';
import { forbidden } from './errors.ts';
import type { EventLog } from './events.ts';
import type { MemberChanges } from './memberChanges.ts';
import { ratingsOf, type StoredRating } from './ratings.ts';
import type { Vault } from './vault.ts';

export interface AccountDeletion {
  db: Db;
  vault: Vault;
  events: EventLog;
  changes: MemberChanges;
}

/**
 * Deletes the member's account when `password` is theirs (forbidden otherwise, and nothing is
 * deleted).
 */
export async function deleteAccount(
  { db, vault, events, changes }: AccountDeletion,
  memberId: number,
  password: string,
): Promise<void> {
  if (!(await vault.checkPassword(db, memberId, password))) {
    throw forbidden('password: the password is wrong; nothing was deleted', [
      { path: 'password', message: 'wrong' },
    ]);
  }
  // From here on the member's new events are dropped, and those already queued are written now,
  // so that none lands after the transaction deleted the others.
  const deleting = changes.deleting(memberId);
  let removed: StoredRating[];
  try {
    await events.flush();
    removed = await db.kysely.transaction().execute(async (trx) => {
      const ratings = await deleteMemberRows(trx, vault, memberId);
      await writeNote(trx, changes.node, { kind: 'deletion', memberId, ratings });
      return ratings;
    });
  } catch (error) {
    deleting.undo();
    throw error;
  }
  changes.memberDeleted(memberId, removed);
}

/** Deletes everything tied to the member; returns the ratings it removed. */
async function deleteMemberRows(
  trx: Transaction<Database>,
  vault: Vault,
  memberId: number,
): Promise<StoredRating[]> {
  const removed = await ratingsOf(trx, memberId);
  await vault.deleteIdentity(trx, memberId);
  await trx
    .deleteFrom('threads')
    .where('user_id', '=', memberId)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('posts')
            .select('posts.id')
            .whereRef('posts.thread_id', '=', 'threads.id')
            .where('posts.user_id', '<>', memberId),
        ),
      ),
    )
    .execute();
  for (const table of [
    'events',
    'experiment_assignments',
    'posts',
    'ratings',
    'sessions',
    'privacy_settings',
    'password_resets',
    'member_group_picks',
    'member_lists',
    'tags',
    'recommender_choices',
    'announcement_deliveries',
    'survey_participants',
  ] as const) {
    await trx.deleteFrom(table).where('user_id', '=', memberId).execute();
  }
  await trx.updateTable('threads').set({ user_id: null }).where('user_id', '=', memberId).execute();
  await trx.deleteFrom('users').where('id', '=', memberId).execute();
  // Threads whose every post is gone.
  await sql`DELETE FROM threads WHERE NOT EXISTS (SELECT 1 FROM posts WHERE posts.thread_id = threads.id)`.execute(
    trx,
  );
  return removed;
}
