/**
 * Reading the database back (the other side of datasets.ts's imports): the whole catalog,
 * demographics, ratings and tags as a Dataset, and the movies' links.
 */
import {
  RatingColumnsBuilder,
  scaleOf,
  type Dataset,
  type Gender,
  type Movie,
  type Tag,
  type UserProfile,
} from '../datasets/dataset.ts';
import type { MovieLinks } from '../datasets/movieLinks.ts';
import type { Db } from '../db/connection.ts';
import { copyTo } from '../db/pgCopy.ts';

/** Every movie's IMDb/TMDb links, by movie id. */
export async function loadMovieLinks(db: Db): Promise<Map<number, MovieLinks>> {
  const rows = await db.kysely.selectFrom('movie_links').selectAll().execute();
  return new Map(
    rows.map((row) => [
      row.movie_id,
      { imdbId: row.imdb_id, tmdbId: row.tmdb_id, imdbSearch: row.imdb_search },
    ]),
  );
}

export interface LoadOptions {
  /** Only members who consent to research use (for releases). */
  consentingOnly?: boolean;
}

/** Reads the whole database back as a Dataset (catalog, demographics, ratings, tags). */
export async function loadDataset(db: Db, options: LoadOptions = {}): Promise<Dataset> {
  const movieRows = await db.kysely.selectFrom('movies').selectAll().orderBy('id').execute();
  const links = await loadMovieLinks(db);
  const movies: Movie[] = movieRows.map((m) => ({
    id: m.id,
    title: m.title,
    year: m.year,
    genres: m.genres === '' ? [] : m.genres.split('|'),
    ...(links.has(m.id) ? { links: links.get(m.id) } : {}),
  }));
  let userQuery = db.kysely
    .selectFrom('users')
    .select(['id', 'gender', 'age', 'occupation', 'zip'])
    .orderBy('id');
  if (options.consentingOnly) userQuery = userQuery.where('research_consent', '=', 1);
  const users: UserProfile[] = (await userQuery.execute()).map((u) => ({
    id: u.id,
    gender: u.gender === 'M' || u.gender === 'F' ? (u.gender as Gender) : null,
    age: u.age,
    occupation: u.occupation,
    zip: u.zip,
  }));
  const builder = new RatingColumnsBuilder(1 << 16);
  const consentFilter = options.consentingOnly
    ? ' WHERE user_id IN (SELECT id FROM users WHERE research_consent = 1)'
    : '';
  if (db.sqlite) {
    const statement = db.sqlite
      .prepare(`SELECT user_id, movie_id, rating, rated_at FROM ratings${consentFilter}`)
      .raw();
    for (const row of statement.iterate() as Iterable<[number, number, number, number]>)
      builder.add(row[0], row[1], row[2], row[3]);
  } else {
    const client = await db.pgPool!.connect();
    try {
      // COPY streams the rows as they are read; a SELECT would hold all of them as objects first.
      await copyTo(
        client,
        `COPY (SELECT user_id, movie_id, rating, rated_at FROM ratings${consentFilter}) TO STDOUT`,
        copiedRatingsInto(builder),
      );
    } finally {
      client.release();
    }
  }
  const ratings = builder.build();
  const withRatings = options.consentingOnly
    ? users.filter((u) => ratings.userIds.has(u.id))
    : users;
  const tags = await loadTags(db, options);
  return {
    ratings,
    movies,
    users: withRatings,
    scale: scaleOf(ratings.rating),
    ...(tags.length > 0 ? { tags } : {}),
  };
}

/**
 * A reader of COPY text rows "user\tmovie\trating\ttime\n" into `builder`; a row may be split
 * between two chunks.
 */
function copiedRatingsInto(builder: RatingColumnsBuilder): (chunk: Buffer) => void {
  let carry: Buffer | null = null;
  return (input) => {
    const bytes = carry ? Buffer.concat([carry, input]) : input;
    carry = null;
    let start = 0;
    for (let end = bytes.indexOf(10, start); end >= 0; end = bytes.indexOf(10, start)) {
      const tab1 = bytes.indexOf(9, start);
      const tab2 = bytes.indexOf(9, tab1 + 1);
      const tab3 = bytes.indexOf(9, tab2 + 1);
      builder.add(
        numberIn(bytes, start, tab1),
        numberIn(bytes, tab1 + 1, tab2),
        numberIn(bytes, tab2 + 1, tab3),
        numberIn(bytes, tab3 + 1, end),
      );
      start = end + 1;
    }
    // pg hands over views of its socket buffer: keep a copy of an unfinished row.
    if (start < bytes.length) carry = Buffer.from(bytes.subarray(start));
  };
}

/** The number written in bytes[from, to): digits read directly, anything else ("3.5") by Number. */
function numberIn(bytes: Buffer, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = bytes[i] - 48;
    if (digit < 0 || digit > 9) return Number(bytes.toString('latin1', from, to));
    value = value * 10 + digit;
  }
  return value;
}

/** Every tag as written (of consenting members only, when asked). */
async function loadTags(db: Db, options: LoadOptions): Promise<Tag[]> {
  let query = db.kysely.selectFrom('tags').select(['user_id', 'movie_id', 'tag', 'tagged_at']);
  if (options.consentingOnly)
    query = query.where('user_id', 'in', (eb) =>
      eb.selectFrom('users').select('id').where('research_consent', '=', 1),
    );
  const rows = await query.orderBy('user_id').orderBy('movie_id').orderBy('tag_key').execute();
  return rows.map((row) => ({
    userId: row.user_id,
    movieId: row.movie_id,
    tag: row.tag,
    timestamp: Number(row.tagged_at),
  }));
}
