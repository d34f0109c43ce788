import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * A published model's bytes in parts (src/services/modelStore.ts): one row per part of at most
 * MODEL_PART_BYTES, in order, so that no row comes near the databases' limits on one value
 * (SQLite binds at most about 500 MB, PostgreSQL's bytea 1 GB) while the default blend of 10M
 * ratings already takes hundreds of MB. The bytes stored whole by 0015 become part 0.
 *
 * 0015's `bytes` column stays, empty for the models stored from now on: nodes of the version
 * before keep running during a rolling update (they skip a new model they cannot read and keep
 * theirs). A later migration drops it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('published_model_parts')
    .addColumn('name', 'text', (c) =>
      c.notNull().references('published_models.name').onDelete('cascade'),
    )
    .addColumn('part', 'integer', (c) => c.notNull())
    .addColumn('bytes', postgres ? 'bytea' : 'blob', (c) => c.notNull())
    .addPrimaryKeyConstraint('published_model_parts_key', ['name', 'part'])
    .execute();
  await sql`INSERT INTO published_model_parts (name, part, bytes)
            SELECT name, 0, bytes FROM published_models`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // Models stored in one part fit back into 0015's column; larger ones stay unreadable there.
  await sql`UPDATE published_models SET bytes = (SELECT p.bytes FROM published_model_parts p
              WHERE p.name = published_models.name AND p.part = 0)
            WHERE (SELECT count(*) FROM published_model_parts p
              WHERE p.name = published_models.name) = 1`.execute(db);
  await db.schema.dropTable('published_model_parts').execute();
}
