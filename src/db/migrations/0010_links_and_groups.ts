import { sql, type Kysely } from 'kysely';

/**
 * Home page lists, movie links and onboarding by groups:
 * - `movies.added_at` (Unix seconds) orders "new additions"; existing movies get the time of their
 *   first rating (when MovieLens first had them), unrated ones the newest rating time;
 * - `movie_links`: IMDb/TMDb ids per movie (the site builds the URLs on fixed hosts);
 * - `member_group_picks`: the movies of the groups a new member picked (`pick` numbers the
 *   group, `shown` marks the titles that named it), kept as movies so they outlive a regrouping.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('movies')
    .addColumn('added_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`UPDATE movies SET added_at = COALESCE(
      (SELECT min(rated_at) FROM ratings WHERE ratings.movie_id = movies.id),
      (SELECT max(rated_at) FROM ratings), 0)`.execute(db);
  await db.schema.createIndex('movies_added_at').on('movies').column('added_at').execute();

  await db.schema
    .createTable('movie_links')
    .addColumn('movie_id', 'integer', (c) =>
      c.primaryKey().references('movies.id').onDelete('cascade'),
    )
    .addColumn('imdb_id', 'integer')
    .addColumn('tmdb_id', 'integer')
    .addColumn('imdb_search', 'text')
    .execute();

  await db.schema
    .createTable('member_group_picks')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('movie_id', 'integer', (c) =>
      c.notNull().references('movies.id').onDelete('cascade'),
    )
    .addColumn('pick', 'integer', (c) => c.notNull())
    .addColumn('shown', 'integer', (c) => c.notNull())
    .addColumn('picked_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('member_group_picks_pkey', ['user_id', 'movie_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('member_group_picks').execute();
  await db.schema.dropTable('movie_links').execute();
  await db.schema.dropIndex('movies_added_at').execute();
  await db.schema.alterTable('movies').dropColumn('added_at').execute();
}
