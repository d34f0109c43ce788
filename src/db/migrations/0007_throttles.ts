import type { Kysely } from 'kysely';

/**
 * Throttles that must hold across server processes (hardening): mails per address per kind, and
 * failed logins per account and source. One row per (scope, key): a counter for the window that
 * began at `window_start`, and the time of the last hit. Keys are HMACs (never an address or an
 * IP address in the clear); rows untouched for a day are deleted by the hourly sweep.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('throttles')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('last_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('throttles_pkey', ['scope', 'key'])
    .execute();
  await db.schema.createIndex('throttles_last_at').on('throttles').column('last_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('throttles').execute();
}
