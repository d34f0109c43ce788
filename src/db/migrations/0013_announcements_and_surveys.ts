import { PostgresAdapter, type Kysely } from 'kysely';

/**
 * Announcements (issue #15): what an admin mails to the members who opted in to e-mail updates,
 * and one delivery row per member it went to (the send job claims the row before the mail goes,
 * so a resumed job never mails a member twice); an invitation to a survey names it and goes to
 * the survey's audience only.
 * Surveys (research extras): a researcher's definition (its own privacy statement, questions and
 * audience as JSON), approved by an admin before it opens, and one participant row per member
 * who accepted or declined it, holding their answers under the pseudonymous id.
 * Times are Unix seconds.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const autoId = (table: string) =>
    db.schema
      .createTable(table)
      .addColumn('id', postgres ? 'serial' : 'integer', (c) =>
        postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
      );

  await autoId('announcements')
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    // 'draft', 'sending' (also after a restart, until the job resumes and ends) or 'sent'.
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('rate_per_minute', 'integer', (c) => c.notNull())
    .addColumn('recipients', 'integer')
    .addColumn('sent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sent_by', 'integer')
    .addColumn('started_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    // A survey's invitation goes to the opted-in members of the survey's audience only.
    .addColumn('survey_id', 'integer')
    .execute();
  await db.schema
    .createTable('announcement_deliveries')
    .addColumn('announcement_id', 'integer', (c) =>
      c.notNull().references('announcements.id').onDelete('cascade'),
    )
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('sent_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('announcement_deliveries_pkey', ['announcement_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('announcement_deliveries_user')
    .on('announcement_deliveries')
    .column('user_id')
    .execute();

  await autoId('surveys')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('statement', 'text', (c) => c.notNull())
    .addColumn('questions', 'text', (c) => c.notNull())
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('releasable', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('opens_at', 'bigint', (c) => c.notNull())
    .addColumn('closes_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'integer')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('approved_by', 'integer')
    .addColumn('approved_at', 'bigint')
    .execute();
  await db.schema
    .createTable('survey_participants')
    .addColumn('survey_id', 'integer', (c) =>
      c.notNull().references('surveys.id').onDelete('cascade'),
    )
    .addColumn('user_id', 'integer', (c) => c.notNull())
    // 'accepted' (the statement; answers may follow) or 'declined'.
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'bigint', (c) => c.notNull())
    .addColumn('answers', 'text')
    .addColumn('answered_at', 'bigint')
    .addPrimaryKeyConstraint('survey_participants_pkey', ['survey_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('survey_participants_user')
    .on('survey_participants')
    .column('user_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'survey_participants',
    'surveys',
    'announcement_deliveries',
    'announcements',
  ])
    await db.schema.dropTable(table).execute();
}
