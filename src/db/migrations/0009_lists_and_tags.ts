import type { Kysely } from 'kysely';

/**
 * Member lists and tags (issue #16):
 * - `member_lists`: a member's wishlist ("want to watch") and hidden ("not interested") movies;
 *   one row per (member, movie), so a movie is on at most one of the two lists.
 * - `tags`: the tags members put on movies, as written (`tag`) and as matched (`tag_key`:
 *   NFKC-normalized, trimmed, lower-cased). A member tags a movie with a given tag once.
 * Both go with the member (account deletion) and with the movie (cascade).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('member_lists')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('movie_id', 'integer', (c) =>
      c.notNull().references('movies.id').onDelete('cascade'),
    )
    .addColumn('list', 'text', (c) => c.notNull())
    .addColumn('added_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('member_lists_pkey', ['user_id', 'movie_id'])
    .execute();

  await db.schema
    .createTable('tags')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('movie_id', 'integer', (c) =>
      c.notNull().references('movies.id').onDelete('cascade'),
    )
    .addColumn('tag_key', 'text', (c) => c.notNull())
    .addColumn('tag', 'text', (c) => c.notNull())
    .addColumn('tagged_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('tags_pkey', ['user_id', 'movie_id', 'tag_key'])
    .execute();
  await db.schema
    .createIndex('tags_key_movie')
    .on('tags')
    .columns(['tag_key', 'movie_id'])
    .execute();
  await db.schema.createIndex('tags_movie').on('tags').column('movie_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('tags').execute();
  await db.schema.dropTable('member_lists').execute();
}
