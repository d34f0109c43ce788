import type { Kysely } from 'kysely';

/**
 * Links that prove control of an address (issue #4, continued).
 * - `pending_registrations.verify_failures`: wrong passwords typed with a sign-up link. Following
 *   the link needs the password chosen at sign-up (so a stranger's sign-up with your address
 *   cannot give you an account whose password they know); after a few wrong ones the link dies.
 * - `email_changes`: a member's request to move their account to another address, waiting for
 *   the link mailed to that address (under the SHA-256 of the token). A request for an address
 *   that already has an account keeps a row too, with no e-mail and a token nobody receives, so
 *   both cases do the same work. Only the vault reads or writes this table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('pending_registrations')
    .addColumn('verify_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('email_changes')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('email_blind_index', 'text', (c) => c.notNull())
    // Null when the requested address already belongs to an account.
    .addColumn('email_ciphertext', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('email_changes_user').on('email_changes').column('user_id').execute();
  await db.schema
    .createIndex('email_changes_expiry')
    .on('email_changes')
    .column('expires_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('email_changes').execute();
  await db.schema.alterTable('pending_registrations').dropColumn('verify_failures').execute();
}
