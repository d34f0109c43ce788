import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';

/**
 * The database's id: a random UUID drawn once, here, and never changed. Published models record
 * the id of the database they were trained on, and a server serves only models of its own
 * database (movie ids of two databases overlap, so they cannot tell one catalog from another).
 * One row; nothing else writes this table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('database_identity')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await (db as Kysely<{ database_identity: { id: string; created_at: number } }>)
    .insertInto('database_identity')
    .values({ id: randomUUID(), created_at: Math.floor(Date.now() / 1000) })
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('database_identity').execute();
}
