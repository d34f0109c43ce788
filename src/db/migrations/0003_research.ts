import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * The research platform's tables (issue #5):
 * - `events`: the append-only event log (one table, a `kind` column and a JSON payload), keyed
 *   only by the member's numeric pseudonymous id or an anonymous visitor's random cookie id.
 *   No foreign key to `users`: a batch of queued events must never fail because a member deleted
 *   their account meanwhile; `deleteMemberEvents` removes a member's rows instead.
 * - `experiments`, `experiment_variants`, `experiment_assignments` (recorded on first exposure).
 * - `user_roles`: researcher and admin grants (every member has the implicit role `member`).
 * - `access_audit_log`: append-only, enforced by the database itself: triggers refuse UPDATE
 *   and DELETE (and TRUNCATE on PostgreSQL).
 * Times ending in `_ms` are Unix milliseconds (event order within a second matters for the
 * analyses); the others are Unix seconds, like the rest of the schema.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  // An auto-numbered primary key: bigserial/serial on PostgreSQL, AUTOINCREMENT on SQLite (so
  // that ids are never reused after deletions).
  const autoId = (table: string, big = true) =>
    db.schema
      .createTable(table)
      .addColumn('id', postgres ? (big ? 'bigserial' : 'serial') : 'integer', (c) =>
        postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
      );

  await autoId('events')
    .addColumn('occurred_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer')
    .addColumn('visitor_id', 'text')
    .addColumn('payload', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema
    .createIndex('events_user_time')
    .on('events')
    .columns(['user_id', 'occurred_at_ms'])
    .execute();
  await db.schema
    .createIndex('events_kind_time')
    .on('events')
    .columns(['kind', 'occurred_at_ms'])
    .execute();
  await db.schema
    .createIndex('events_time')
    .on('events')
    .columns(['occurred_at_ms', 'id'])
    .execute();

  await autoId('experiments', false)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('hypothesis', 'text', (c) => c.notNull())
    .addColumn('population', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'bigint', (c) => c.notNull())
    .addColumn('stops_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'integer')
    .addColumn('started_at', 'bigint')
    .addColumn('stopped_at', 'bigint')
    .addCheckConstraint('experiments_population', sql`population in ('new-members', 'all')`)
    .addCheckConstraint('experiments_status', sql`status in ('draft', 'running', 'stopped')`)
    .addCheckConstraint('experiments_window', sql`starts_at < stops_at`)
    .execute();

  await db.schema
    .createTable('experiment_variants')
    .addColumn('experiment_id', 'integer', (c) =>
      c.notNull().references('experiments.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('weight', 'double precision', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('experiment_variants_pk', ['experiment_id', 'name'])
    .addCheckConstraint('experiment_variants_weight', sql`weight > 0`)
    .execute();

  await db.schema
    .createTable('experiment_assignments')
    .addColumn('experiment_id', 'integer', (c) =>
      c.notNull().references('experiments.id').onDelete('cascade'),
    )
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('variant', 'text', (c) => c.notNull())
    .addColumn('exposed_at_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('experiment_assignments_pk', ['experiment_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('experiment_assignments_variant')
    .on('experiment_assignments')
    .columns(['experiment_id', 'variant'])
    .execute();
  await db.schema
    .createIndex('experiment_assignments_user')
    .on('experiment_assignments')
    .column('user_id')
    .execute();

  await db.schema
    .createTable('user_roles')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('granted_at', 'bigint', (c) => c.notNull())
    .addColumn('granted_by', 'integer')
    .addPrimaryKeyConstraint('user_roles_pk', ['user_id', 'role'])
    .addCheckConstraint('user_roles_role', sql`role in ('researcher', 'admin')`)
    .execute();

  await autoId('access_audit_log')
    .addColumn('occurred_at_ms', 'bigint', (c) => c.notNull())
    // The admin who acted; null when the action came from the command line on the server.
    .addColumn('actor_id', 'integer')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_user_id', 'integer')
    .addColumn('reason', 'text')
    .addColumn('detail', 'text')
    .execute();
  await db.schema
    .createIndex('access_audit_log_time')
    .on('access_audit_log')
    .column('occurred_at_ms')
    .execute();

  if (postgres) {
    await sql`
      CREATE FUNCTION access_audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'access_audit_log is append-only: % is not allowed', TG_OP;
      END
      $$`.execute(db);
    await sql`
      CREATE TRIGGER access_audit_log_append_only BEFORE UPDATE OR DELETE ON access_audit_log
      FOR EACH ROW EXECUTE FUNCTION access_audit_log_refuse_change()`.execute(db);
    await sql`
      CREATE TRIGGER access_audit_log_no_truncate BEFORE TRUNCATE ON access_audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION access_audit_log_refuse_change()`.execute(db);
  } else {
    await sql`
      CREATE TRIGGER access_audit_log_no_update BEFORE UPDATE ON access_audit_log
      BEGIN SELECT RAISE(ABORT, 'access_audit_log is append-only: UPDATE is not allowed'); END`.execute(
      db,
    );
    await sql`
      CREATE TRIGGER access_audit_log_no_delete BEFORE DELETE ON access_audit_log
      BEGIN SELECT RAISE(ABORT, 'access_audit_log is append-only: DELETE is not allowed'); END`.execute(
      db,
    );
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  for (const table of [
    'access_audit_log',
    'user_roles',
    'experiment_assignments',
    'experiment_variants',
    'experiments',
    'events',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  if (postgres) await sql`DROP FUNCTION access_audit_log_refuse_change()`.execute(db);
}
