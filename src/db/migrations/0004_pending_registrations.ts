import type { Kysely } from 'kysely';

/**
 * Registrations waiting for their e-mail link (issue #4). A sign-up creates no member: it stores
 * the vault's data (encrypted e-mail, blind index, argon2id hash) here under the SHA-256 of the
 * mailed token, and following the link moves it into `identities` as a new, verified member.
 * A sign-up with an address that already has an account keeps a row too, with no e-mail and a
 * token nobody receives, so that logging in with the password typed answers like a real pending
 * sign-up ("check your e-mail") and does not tell whether the address is a member.
 * Rows past `expires_at` are ignored and deleted; only the vault reads or writes this table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('pending_registrations')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('email_blind_index', 'text', (c) => c.notNull())
    // Null for a sign-up attempt with an address that already has an account.
    .addColumn('email_ciphertext', 'text')
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('research_consent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('pending_registrations_email')
    .on('pending_registrations')
    .columns(['email_blind_index', 'created_at'])
    .execute();
  await db.schema
    .createIndex('pending_registrations_expiry')
    .on('pending_registrations')
    .column('expires_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('pending_registrations').execute();
}
