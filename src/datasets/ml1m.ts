import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  HALF_STARS,
  ML1M_GENRES,
  ageBucket,
  canonicalOrder,
  joinTitleYear,
  scaleOf,
  splitTitleYear,
  type Dataset,
  type Tag,
  type Movie,
  type UserProfile,
} from './dataset.ts';
import { RatingCollector, readRatingFile } from './collector.ts';
import { DatasetError } from './errors.ts';
import { forEachLine, parseId, parseText } from './lines.ts';
import { sortedTags } from './mlLatestTags.ts';

const SEPARATOR = '::';
/** ML-10M's movies.dat spells one genre differently, adds one, and marks movies without any. */
const ML10M_GENRES = ['Children', 'IMAX'];
const NO_GENRES = '(no genres listed)';

function fieldsOf(
  path: string,
  text: string,
  number: number,
  expected: number,
  names: string,
): string[] {
  const fields = text.split(SEPARATOR);
  if (fields.length !== expected) {
    const hint = text.includes(SEPARATOR) ? '' : ` (is the separator "::"?)`;
    throw new DatasetError(
      path,
      number,
      `expected ${expected} fields ${names} separated by "::", found ${fields.length}${hint}`,
    );
  }
  return fields;
}

async function readMovies(path: string): Promise<Movie[]> {
  const movies: Movie[] = [];
  const known = new Set<string>([...ML1M_GENRES, ...ML10M_GENRES]);
  await forEachLine(path, 'latin1', (text, number) => {
    const [id, title, genres] = fieldsOf(path, text, number, 3, 'MovieID::Title::Genres');
    const genreList = genres === '' || genres === NO_GENRES ? [] : genres.split('|');
    for (const genre of genreList) {
      if (!known.has(genre)) throw new DatasetError(path, number, `unknown genre "${genre}"`);
    }
    movies.push({
      id: parseId(id, 'movie id', path, number),
      ...splitTitleYear(parseText(title, 'title', path, number)),
      genres: genreList,
    });
  });
  return movies.sort((a, b) => a.id - b.id);
}

async function readUsers(path: string): Promise<UserProfile[]> {
  const users: UserProfile[] = [];
  await forEachLine(path, 'latin1', (text, number) => {
    const [id, gender, age, occupation, zip] = fieldsOf(
      path,
      text,
      number,
      5,
      'UserID::Gender::Age::Occupation::Zip-code',
    );
    if (gender !== '' && gender !== 'M' && gender !== 'F') {
      throw new DatasetError(path, number, `gender "${gender}" is not M or F`);
    }
    const ageValue = age === '' ? null : parseId(age, 'age', path, number);
    if (ageValue !== null && ageBucket(ageValue) !== ageValue) {
      throw new DatasetError(
        path,
        number,
        `age "${age}" is not an ML-1M age bucket (1, 18, 25, 35, 45, 50, 56)`,
      );
    }
    const occupationValue =
      occupation === '' ? null : parseId(occupation, 'occupation', path, number);
    if (occupationValue !== null && occupationValue > 20) {
      throw new DatasetError(path, number, `occupation "${occupation}" is outside 0–20`);
    }
    users.push({
      id: parseId(id, 'user id', path, number),
      gender: gender === '' ? null : gender,
      age: ageValue,
      occupation: occupationValue,
      zip: zip === '' ? null : parseText(zip, 'zip code', path, number),
    });
  });
  return users.sort((a, b) => a.id - b.id);
}

/**
 * Reads a MovieLens 1M folder: ratings.dat, movies.dat and (if present) users.dat, ISO-8859-1.
 * ratings.dat may hold half stars as ML-10M's does (0.5–5): the data's scale is whole stars
 * 1–5 when every rating is one, else half stars.
 */
export async function readMl1m(dir: string): Promise<Dataset> {
  const moviesPath = join(dir, 'movies.dat');
  const movies = await readMovies(moviesPath);
  const usersPath = join(dir, 'users.dat');
  const users = await readUsers(usersPath).catch((error: unknown) => {
    if (error instanceof DatasetError && error.reason === 'file not found') return null;
    throw error;
  });
  const path = join(dir, 'ratings.dat');
  const collector = new RatingCollector(HALF_STARS);
  await readRatingFile(
    path,
    { separator: SEPARATOR, fieldNames: 'UserID::MovieID::Rating::Timestamp' },
    collector,
  );
  const ratings = collector.build(path, {
    movies: { path: moviesPath, entries: movies },
    users: users ? { path: usersPath, entries: users } : undefined,
  });
  return { ratings, movies, users: users ?? [], scale: scaleOf(ratings.rating) };
}

/** Why the data does not fit ML-1M, and what does. */
function cannotWrite(path: string, line: number, what: string): DatasetError {
  return new DatasetError(path, line, `${what} (use --format ml-latest)`);
}

function latin1(path: string, text: string): Buffer {
  // Characters outside ISO-8859-1 cannot be written in this format.
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0xff) {
      const line = text.slice(0, i).split('\n').length;
      const character = String.fromCodePoint(text.codePointAt(i)!);
      throw cannotWrite(path, line, `"${character}" cannot be written in ISO-8859-1`);
    }
  }
  return Buffer.from(text, 'latin1');
}

/**
 * Writes a Dataset as MovieLens 1M files (ratings.dat sorted by user then movie, users.dat and
 * movies.dat sorted by id), ISO-8859-1. users.dat lists every user who rated; ages are written
 * as their ML-1M bucket; unknown demographics are empty fields; tags.dat when the dataset has
 * tags. Whole stars are written as ML-1M writes them ("4"); half stars as ML-10M's ratings.dat
 * does ("3.5"), so whole-star data round-trips byte for byte and half-star data is not lost.
 * Characters outside ISO-8859-1 are refused before any file is written.
 */
export function writeMl1m(dataset: Dataset, dir: string): void {
  const { ratings } = dataset;
  const ratingsPath = join(dir, 'ratings.dat');
  const order = canonicalOrder(ratings);
  const lines: string[] = new Array(order.length);
  for (let k = 0; k < order.length; k++) {
    const r = order[k];
    lines[k] =
      `${ratings.userIds.ids[ratings.userIndex[r]]}::${ratings.itemIds.ids[ratings.itemIndex[r]]}::${ratings.rating[r]}::${ratings.timestamp[r]}\n`;
  }

  const text = lines.join('');
  const tagsPath = join(dir, 'tags.dat');
  const tags = dataset.tags ? latin1(tagsPath, ml1mTagLines(tagsPath, dataset.tags)) : null;
  writeMl1mUsersAndMovies(dir, ratings.userIds.ids, dataset.users, dataset.movies);
  writeFileSync(ratingsPath, text, 'latin1');
  if (tags) writeFileSync(tagsPath, tags);
}

/**
 * Writes users.dat (one line per id in `userIds`, demographics from `users` where known) and
 * movies.dat (sorted by id), ISO-8859-1, creating `dir`. Both are checked before either is written.
 */
export function writeMl1mUsersAndMovies(
  dir: string,
  userIds: ArrayLike<number>,
  users: readonly UserProfile[],
  movies: readonly Movie[],
): void {
  const profiles = new Map(users.map((user) => [user.id, user]));
  const userLines: string[] = [];
  for (let k = 0; k < userIds.length; k++) {
    const id = userIds[k];
    const user = profiles.get(id);
    const age = user?.age == null ? '' : String(ageBucket(user.age));
    userLines.push(
      `${id}::${user?.gender ?? ''}::${age}::${user?.occupation ?? ''}::${user?.zip ?? ''}\n`,
    );
  }
  const usersPath = join(dir, 'users.dat');
  const usersText = latin1(usersPath, userLines.join(''));
  const moviesPath = join(dir, 'movies.dat');
  const movieLines = [...movies]
    .sort((a, b) => a.id - b.id)
    .map((movie) => `${movie.id}::${joinTitleYear(movie)}::${movie.genres.join('|')}\n`);
  const moviesText = latin1(moviesPath, movieLines.join(''));
  mkdirSync(dir, { recursive: true });
  writeFileSync(usersPath, usersText);
  writeFileSync(moviesPath, moviesText);
}

/** tags.dat lines `UserID::MovieID::Tag::Timestamp` (the ML-10M layout); "::" cannot be in a tag. */
function ml1mTagLines(path: string, tags: readonly Tag[]): string {
  return sortedTags(tags)
    .map((t, k) => {
      if (t.tag.includes('::')) throw cannotWrite(path, k + 1, `tag "${t.tag}" holds "::"`);
      return `${t.userId}::${t.movieId}::${t.tag}::${t.timestamp}\n`;
    })
    .join('');
}
