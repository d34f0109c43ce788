import type { Kysely } from 'kysely';

/**
 * The recommender each member chose (one row per member who ever chose; none = the default).
 * Every choice and switch is also in the event log (`recommender_chosen`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('recommender_choices')
    .addColumn('user_id', 'integer', (c) => c.primaryKey())
    .addColumn('choice', 'text', (c) => c.notNull())
    .addColumn('chosen_at_ms', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('recommender_choices').execute();
}
