import { PostgresAdapter, type Kysely } from 'kysely';

/**
 * Published models in the database (src/services/modelStore.ts), so that every app node finds
 * them, on any machine: the model file's bytes under its name (`<algorithm>-<UTC time>`), its kind
 * (rating or ranking) and the id of the database it was trained on. A node's models folder is a
 * cache of the newest of each kind. `created_at` is Unix ms.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('published_models')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('algorithm', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('database_id', 'text', (c) => c.notNull())
    .addColumn('bytes', postgres ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('published_models_newest')
    .on('published_models')
    .columns(['database_id', 'created_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('published_models').execute();
}
