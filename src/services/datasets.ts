import { type Dataset, type Movie, type Tag, type UserProfile } from '../datasets/dataset.ts';
import type { MovieLinks } from '../datasets/movieLinks.ts';
import type pg from 'pg';
import type { Db } from '../db/connection.ts';
import { copyFrom, copyLine, inPostgresTransaction } from '../db/pgCopy.ts';
import { containsEmailAddress } from '../privacy/emailText.ts';
import { ServiceError } from './errors.ts';
import { tagKey } from './tags.ts';

export type ImportMode = 'empty' | 'replace' | 'merge';

/** An import into a database that holds data, without --replace or --merge (a conflict). */
export class DatabaseNotEmptyError extends ServiceError {
  constructor(what: string) {
    super(
      'conflict',
      `the database already holds ${what}: choose --replace (delete everything first) or --merge (add and update)`,
    );
    this.name = 'DatabaseNotEmptyError';
  }
}

/**
 * A --merge that would write imported users over the accounts of web members (a conflict; `ids`
 * are the users at fault, for the command line to show).
 */
export class WebMembersInDatasetError extends ServiceError {
  constructor(readonly ids: number[]) {
    const shown =
      ids.slice(0, 10).join(', ') + (ids.length > 10 ? ` and ${ids.length - 10} more` : '');
    super(
      'conflict',
      `users ${shown} of the dataset are web members of this site; an import never writes over a member's account (renumber these users in the dataset, or import into another database)`,
    );
    this.name = 'WebMembersInDatasetError';
  }
}

export interface ImportSummary {
  movies: number;
  users: number;
  ratings: number;
  /** Tags stored (when the dataset has tags). */
  tags?: number;
}

export type ProgressListener = (done: number, total: number) => void;

const BATCH = 50_000;
const LINK_UPDATE =
  'imdb_id = excluded.imdb_id, tmdb_id = excluded.tmdb_id, imdb_search = excluded.imdb_search';
/** The secondary indexes on ratings (see the migrations). */
const RATING_INDEXES = [
  { name: 'ratings_movie_rating', columns: 'movie_id, rating' },
  { name: 'ratings_rated_at', columns: 'rated_at' },
];

export async function countRows(db: Db): Promise<ImportSummary> {
  const count = async (table: 'movies' | 'users' | 'ratings') => {
    const row = await db.kysely
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  return {
    movies: await count('movies'),
    users: await count('users'),
    ratings: await count('ratings'),
  };
}

interface ImportRows {
  movies: Array<Movie & { addedAt: number }>;
  users: Array<UserProfile & { createdAt: number }>;
  links: Array<MovieLinks & { movieId: number }>;
  tags: Array<Tag & { key: string }>;
}

/** When each movie joined the catalog: its first rating, else the dataset's newest rating. */
function moviesAddedAt(dataset: Dataset): Array<Movie & { addedAt: number }> {
  const { ratings } = dataset;
  const first = new Float64Array(ratings.itemIds.size).fill(Infinity);
  let newest = 0;
  for (let r = 0; r < ratings.length; r++) {
    const i = ratings.itemIndex[r];
    if (ratings.timestamp[r] < first[i]) first[i] = ratings.timestamp[r];
    if (ratings.timestamp[r] > newest) newest = ratings.timestamp[r];
  }
  return dataset.movies.map((movie) => {
    const i = ratings.itemIds.indexOf(movie.id);
    return { ...movie, addedAt: i >= 0 && Number.isFinite(first[i]) ? first[i] : newest };
  });
}

/** Users who rated, with demographics where the dataset has them; created at their first rating. */
function importRows(dataset: Dataset): ImportRows {
  const { ratings } = dataset;
  const firstRating = new Float64Array(ratings.userIds.size).fill(Infinity);
  for (let r = 0; r < ratings.length; r++) {
    const u = ratings.userIndex[r];
    if (ratings.timestamp[r] < firstRating[u]) firstRating[u] = ratings.timestamp[r];
  }
  const profiles = new Map(dataset.users.map((user) => [user.id, user]));
  const users = Array.from(ratings.userIds.ids, (id, u) => {
    const profile = profiles.get(id) ?? {
      id,
      gender: null,
      age: null,
      occupation: null,
      zip: null,
    };
    return { ...profile, createdAt: Number.isFinite(firstRating[u]) ? firstRating[u] : 0 };
  });
  for (const profile of dataset.users) {
    if (!ratings.userIds.has(profile.id)) users.push({ ...profile, createdAt: 0 });
  }
  // ml-latest's taggers need not have rated: they become users too, created at their first tag.
  const known = new Set(users.map((user) => user.id));
  for (const tag of dataset.tags ?? []) {
    if (known.has(tag.userId)) continue;
    known.add(tag.userId);
    const createdAt = tag.timestamp;
    users.push({ id: tag.userId, gender: null, age: null, occupation: null, zip: null, createdAt });
  }
  const links = dataset.movies.flatMap((movie) =>
    movie.links ? [{ movieId: movie.id, ...movie.links }] : [],
  );
  return {
    movies: moviesAddedAt(dataset),
    users,
    links,
    tags: importedTags(dataset.tags ?? []),
  };
}

/**
 * Tags as stored: trimmed text with its key, one per (user, movie, key); empty ones dropped, and
 * text holding an e-mail address too (no address is stored outside the vault).
 */
function importedTags(tags: readonly Tag[]): ImportRows['tags'] {
  const seen = new Set<string>();
  const rows: ImportRows['tags'] = [];
  for (const tag of tags) {
    const text = tag.tag.normalize('NFKC').trim();
    const key = tagKey(text);
    const id = `${tag.userId} ${tag.movieId} ${key}`;
    if (key === '' || seen.has(id) || containsEmailAddress(text)) continue;
    seen.add(id);
    rows.push({ ...tag, tag: text, key });
  }
  return rows;
}

/**
 * Loads a dataset into the database in one transaction: all of it or, on any error, nothing.
 * Imported user and movie ids are kept (they are already pseudonyms); imported members count as
 * consenting to research use, since their data was collected for research.
 */
export async function importDataset(
  db: Db,
  dataset: Dataset,
  mode: ImportMode,
  onProgress?: ProgressListener,
): Promise<ImportSummary> {
  if (dataset.ratings.length === 0) throw new Error('the dataset has no ratings');
  const known = new Set(dataset.movies.map((movie) => movie.id));
  for (const id of dataset.ratings.itemIds.ids) {
    if (!known.has(id)) throw new Error(`movie ${id} is rated but missing from the catalog file`);
  }
  const rows = importRows(dataset);
  if (db.sqlite) importIntoSqlite(db, dataset, rows, mode, onProgress);
  else await importIntoPostgres(db, dataset, rows, mode, onProgress);
  return {
    movies: rows.movies.length,
    users: rows.users.length,
    ratings: dataset.ratings.length,
    ...(dataset.tags ? { tags: rows.tags.length } : {}),
  };
}

/**
 * Web members: users who signed up on the site (the vault holds their identity), as opposed to
 * the users of imported datasets. Their ids are random, so a dataset's ids can fall on them.
 */
const WEB_MEMBERS = `SELECT id FROM users WHERE origin <> 'import' OR id IN (SELECT user_id FROM identities) ORDER BY id`;

interface IdRow {
  id: number;
}

function refuseWebMembers(members: IdRow[], rows: ImportRows): void {
  const importing = new Set(rows.users.map((user) => user.id));
  const colliding = members.map((member) => member.id).filter((id) => importing.has(id));
  if (colliding.length > 0) throw new WebMembersInDatasetError(colliding);
}

function checkEmpty(counts: ImportSummary): void {
  if (counts.ratings > 0 || counts.users > 0 || counts.movies > 0) {
    throw new DatabaseNotEmptyError(
      `${counts.movies} movies, ${counts.users} users and ${counts.ratings} ratings`,
    );
  }
}

function importIntoSqlite(
  db: Db,
  dataset: Dataset,
  rows: ImportRows,
  mode: ImportMode,
  onProgress?: ProgressListener,
): void {
  const sqlite = db.sqlite!;
  const merge = mode === 'merge';
  const upsert = (conflict: string, update: string) =>
    merge ? ` ON CONFLICT(${conflict}) DO UPDATE SET ${update}` : '';
  const insertMovie = sqlite.prepare(
    `INSERT INTO movies (id, title, year, genres, added_at) VALUES (?, ?, ?, ?, ?)` +
      upsert('id', 'title = excluded.title, year = excluded.year, genres = excluded.genres'),
  );
  const insertLink = sqlite.prepare(
    `INSERT INTO movie_links (movie_id, imdb_id, tmdb_id, imdb_search) VALUES (?, ?, ?, ?)` +
      ` ON CONFLICT(movie_id) DO UPDATE SET ${LINK_UPDATE}`,
  );
  const insertUser = sqlite.prepare(
    `INSERT INTO users (id, created_at, gender, age, occupation, zip, origin, research_consent) VALUES (?, ?, ?, ?, ?, ?, 'import', 1)` +
      upsert(
        'id',
        'gender = excluded.gender, age = excluded.age, occupation = excluded.occupation, zip = excluded.zip',
      ),
  );
  const insertRating = sqlite.prepare(
    `INSERT INTO ratings (user_id, movie_id, rating, rated_at) VALUES (?, ?, ?, ?)` +
      upsert('user_id, movie_id', 'rating = excluded.rating, rated_at = excluded.rated_at'),
  );
  const insertTag = sqlite.prepare(
    `INSERT INTO tags (user_id, movie_id, tag_key, tag, tagged_at) VALUES (?, ?, ?, ?, ?)` +
      upsert('user_id, movie_id, tag_key', 'tag = excluded.tag, tagged_at = excluded.tagged_at'),
  );
  const run = sqlite.transaction(() => {
    if (mode === 'empty') {
      const count = (table: string) =>
        (sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      checkEmpty({ movies: count('movies'), users: count('users'), ratings: count('ratings') });
    }
    if (merge) refuseWebMembers(sqlite.prepare(WEB_MEMBERS).all() as IdRow[], rows);
    if (mode === 'replace')
      for (const table of ['ratings', 'users', 'movies'])
        sqlite.prepare(`DELETE FROM ${table}`).run();
    // Into an empty table it is faster to build the secondary indexes once, at the end.
    const rebuildIndexes = mode !== 'merge';
    if (rebuildIndexes)
      for (const index of RATING_INDEXES) sqlite.prepare(`DROP INDEX ${index.name}`).run();
    for (const m of rows.movies)
      insertMovie.run(m.id, m.title, m.year, m.genres.join('|'), m.addedAt);
    for (const l of rows.links) insertLink.run(l.movieId, l.imdbId, l.tmdbId, l.imdbSearch);
    for (const u of rows.users)
      insertUser.run(u.id, u.createdAt, u.gender, u.age, u.occupation, u.zip);
    const { ratings } = dataset;
    const users = ratings.userIds.ids;
    const items = ratings.itemIds.ids;
    for (let r = 0; r < ratings.length; r++) {
      insertRating.run(
        users[ratings.userIndex[r]],
        items[ratings.itemIndex[r]],
        ratings.rating[r],
        ratings.timestamp[r],
      );
      if (onProgress && (r + 1) % BATCH === 0) onProgress(r + 1, ratings.length);
    }
    onProgress?.(ratings.length, ratings.length);
    for (const t of rows.tags) insertTag.run(t.userId, t.movieId, t.key, t.tag, t.timestamp);
    if (rebuildIndexes)
      for (const index of RATING_INDEXES)
        sqlite.prepare(`CREATE INDEX ${index.name} ON ratings (${index.columns})`).run();
    if (checkKeysAtEnd && sqlite.prepare('PRAGMA foreign_key_check').all().length > 0) {
      throw new Error('the import would break a foreign key; nothing was stored');
    }
  });
  // Into an empty database nothing can cascade, so the keys are checked once at the end instead
  // of row by row (twice as fast); the pragma only takes effect outside a transaction.
  const checkKeysAtEnd = mode === 'empty';
  if (checkKeysAtEnd) sqlite.pragma('foreign_keys = OFF');
  try {
    run.immediate();
  } finally {
    if (checkKeysAtEnd) sqlite.pragma('foreign_keys = ON');
  }
}

/** One table's rows for COPY, and how a --merge updates the rows already there. */
interface CopyTable {
  table: string;
  columns: string[];
  lines: Iterable<string>;
  conflict: string;
  update: string;
}

/**
 * Loads `load` with COPY: straight into the table, or for a merge into a temporary copy of it
 * first, then upserted from there (COPY itself cannot update rows).
 */
async function copyTable(
  client: pg.ClientBase,
  load: CopyTable,
  merge: boolean,
  onSent?: (lines: number) => void,
): Promise<void> {
  const columns = load.columns.join(', ');
  const target = merge ? `import_${load.table}` : load.table;
  if (merge)
    await client.query(
      `CREATE TEMPORARY TABLE ${target} (LIKE ${load.table} INCLUDING DEFAULTS) ON COMMIT DROP`,
    );
  await copyFrom(client, `COPY ${target} (${columns}) FROM STDIN`, load.lines, onSent);
  if (merge)
    await client.query(
      `INSERT INTO ${load.table} (${columns}) SELECT ${columns} FROM ${target} ON CONFLICT (${load.conflict}) DO UPDATE SET ${load.update}`,
    );
}

function* ratingLines(ratings: Dataset['ratings']): Generator<string> {
  const users = ratings.userIds.ids;
  const items = ratings.itemIds.ids;
  for (let r = 0; r < ratings.length; r++)
    yield `${users[ratings.userIndex[r]]}\t${items[ratings.itemIndex[r]]}\t${ratings.rating[r]}\t${ratings.timestamp[r]}\n`;
}

async function importIntoPostgres(
  db: Db,
  dataset: Dataset,
  rows: ImportRows,
  mode: ImportMode,
  onProgress?: ProgressListener,
): Promise<void> {
  const merge = mode === 'merge';
  await inPostgresTransaction(db.pgPool!, async (client) => {
    if (mode === 'empty') {
      const result = await client.query<ImportSummary>(
        'SELECT (SELECT count(*) FROM movies)::int AS movies, (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM ratings)::int AS ratings',
      );
      checkEmpty(result.rows[0]);
    }
    if (merge) refuseWebMembers((await client.query<IdRow>(WEB_MEMBERS)).rows, rows);
    if (mode === 'replace')
      await client.query('TRUNCATE ratings, identities, users, movies CASCADE');
    // Into an empty table, checking keys row by row is slow in PostgreSQL: drop the constraints and
    // indexes, load, then add them back (which validates everything at once, in this transaction).
    const rebuildIndexes = !merge;
    if (rebuildIndexes) {
      await client.query(
        'ALTER TABLE ratings DROP CONSTRAINT ratings_user_fk, DROP CONSTRAINT ratings_movie_fk, DROP CONSTRAINT ratings_pk',
      );
      for (const index of RATING_INDEXES) await client.query(`DROP INDEX ${index.name}`);
    }
    const { ratings } = dataset;
    const tables: CopyTable[] = [
      {
        table: 'movies',
        columns: ['id', 'title', 'year', 'genres', 'added_at'],
        lines: rows.movies.map((m) =>
          copyLine([m.id, m.title, m.year, m.genres.join('|'), m.addedAt]),
        ),
        conflict: 'id',
        update: 'title = excluded.title, year = excluded.year, genres = excluded.genres',
      },
      {
        table: 'movie_links',
        columns: ['movie_id', 'imdb_id', 'tmdb_id', 'imdb_search'],
        lines: rows.links.map((l) => copyLine([l.movieId, l.imdbId, l.tmdbId, l.imdbSearch])),
        conflict: 'movie_id',
        update: LINK_UPDATE,
      },
      {
        table: 'users',
        columns: ['id', 'created_at', 'gender', 'age', 'occupation', 'zip'],
        lines: rows.users.map((u) =>
          copyLine([u.id, u.createdAt, u.gender, u.age, u.occupation, u.zip]),
        ),
        conflict: 'id',
        update:
          'gender = excluded.gender, age = excluded.age, occupation = excluded.occupation, zip = excluded.zip',
      },
    ];
    for (const load of tables) await copyTable(client, load, merge);
    await copyTable(
      client,
      {
        table: 'ratings',
        columns: ['user_id', 'movie_id', 'rating', 'rated_at'],
        lines: ratingLines(ratings),
        conflict: 'user_id, movie_id',
        update: 'rating = excluded.rating, rated_at = excluded.rated_at',
      },
      merge,
      onProgress && ((sent) => onProgress(sent, ratings.length)),
    );
    await copyTable(
      client,
      {
        table: 'tags',
        columns: ['user_id', 'movie_id', 'tag_key', 'tag', 'tagged_at'],
        lines: rows.tags.map((t) => copyLine([t.userId, t.movieId, t.key, t.tag, t.timestamp])),
        conflict: 'user_id, movie_id, tag_key',
        update: 'tag = excluded.tag, tagged_at = excluded.tagged_at',
      },
      merge,
    );
    if (rebuildIndexes) {
      await client.query(`ALTER TABLE ratings ADD CONSTRAINT ratings_pk PRIMARY KEY (user_id, movie_id),
        ADD CONSTRAINT ratings_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
        ADD CONSTRAINT ratings_movie_fk FOREIGN KEY (movie_id) REFERENCES movies (id) ON DELETE CASCADE`);
      for (const index of RATING_INDEXES)
        await client.query(`CREATE INDEX ${index.name} ON ratings (${index.columns})`);
    }
  });
}
