import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * The change log that keeps the app nodes on one database in step (src/services/changeLog.ts):
 * one row per change a node's in-memory state must follow (a rating, an account deletion, ended
 * sessions, a started experiment, a published model), written in the transaction of the change by
 * the node that made it (`node`, a random id per process). On PostgreSQL a trigger NOTIFYs the
 * channel `lenslab_changes:<schema>` with the row (or only its id when the payload is long), so
 * other nodes hear it at commit; on SQLite nodes poll the rows after the last they read. Rows
 * older than a day are pruned. `created_at` is Unix ms.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('change_log')
    .addColumn('id', postgres ? 'bigserial' : 'integer', (c) =>
      postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('change_log_created_at')
    .on('change_log')
    .column('created_at')
    .execute();
  if (postgres) {
    // NOTIFY payloads are limited to 8000 bytes: a long one (a deleted member's ratings) sends the
    // id only, and listeners read the row.
    await sql`
      CREATE FUNCTION change_log_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('lenslab_changes:' || TG_TABLE_SCHEMA,
          CASE WHEN octet_length(NEW.payload) < 7000
            THEN json_build_object('id', NEW.id, 'node', NEW.node, 'kind', NEW.kind, 'payload', NEW.payload)::text
            ELSE json_build_object('id', NEW.id, 'node', NEW.node)::text END);
        RETURN NULL;
      END
      $$`.execute(db);
    await sql`
      CREATE TRIGGER change_log_notify AFTER INSERT ON change_log
      FOR EACH ROW EXECUTE FUNCTION change_log_notify()`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema.dropTable('change_log').execute();
  if (postgres) await sql`DROP FUNCTION change_log_notify()`.execute(db);
}
