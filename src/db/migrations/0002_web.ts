import type { Kysely } from 'kysely';

/**
 * The web site's tables: sessions, privacy settings, password reset tokens and the message
 * boards. Ids of threads and posts are drawn at random by the application (portable across
 * SQLite and PostgreSQL, and they reveal nothing about order or volume).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('privacy_settings')
    .addColumn('user_id', 'integer', (c) =>
      c.primaryKey().references('users.id').onDelete('cascade'),
    )
    .addColumn('username', 'text', (c) => c.unique())
    .addColumn('ratings_visibility', 'text', (c) => c.notNull().defaultTo('private'))
    .addColumn('email_updates', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unsubscribe_token', 'text', (c) => c.notNull().unique())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('password_resets')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('password_resets_user')
    .on('password_resets')
    .column('user_id')
    .execute();

  await db.schema
    .createTable('boards')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('threads')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('board_id', 'integer', (c) =>
      c.notNull().references('boards.id').onDelete('cascade'),
    )
    // The author; set to null when the author deletes their account and others have replied.
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_post_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('threads_board')
    .on('threads')
    .columns(['board_id', 'last_post_at'])
    .execute();

  await db.schema
    .createTable('posts')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('thread_id', 'integer', (c) =>
      c.notNull().references('threads.id').onDelete('cascade'),
    )
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('body', 'text', (c) => c.notNull())
    // Order within the thread (1, 2, …): times have whole seconds and ids are random.
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('edited_at', 'bigint')
    .execute();
  await db.schema.createIndex('posts_thread').on('posts').columns(['thread_id', 'seq']).execute();
  await db.schema.createIndex('posts_user').on('posts').column('user_id').execute();

  const boards = [
    {
      id: 1,
      slug: 'general',
      name: 'General',
      description: 'Talk about movies, anything goes (kindly).',
      position: 1,
    },
    {
      id: 2,
      slug: 'recommendations',
      name: 'Recommendations',
      description: 'Ask for and share movie recommendations.',
      position: 2,
    },
    {
      id: 3,
      slug: 'site-feedback',
      name: 'Site feedback',
      description: 'Ideas, bugs and questions about lenslab.',
      position: 3,
    },
  ];
  await (db as Kysely<{ boards: (typeof boards)[number] }>)
    .insertInto('boards')
    .values(boards)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'posts',
    'threads',
    'boards',
    'password_resets',
    'privacy_settings',
    'sessions',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
