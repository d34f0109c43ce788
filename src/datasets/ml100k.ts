import { join } from 'node:path';
import {
  FIVE_STARS,
  ML1M_GENRES,
  IdIndex,
  splitTitleYear,
  type Dataset,
  type Movie,
  type Ratings,
  type UserProfile,
} from './dataset.ts';
import { RatingCollector, readRatingFile as readRatings } from './collector.ts';
import { DatasetError } from './errors.ts';
import { forEachLine, parseId, parseText } from './lines.ts';
import { parseImdbUrl } from './movieLinks.ts';

/**
 * The 19 genre flags of u.item, in order (u.genre): "unknown", then ML-1M's 18 genres. The first
 * flag says no genre is known, so it is not a genre: such a movie has none (as in every other
 * format), and a release of ML-100K in the ML-1M format reads back.
 */
const ML100K_GENRES: readonly (string | null)[] = [null, ...ML1M_GENRES];

/** ML-100K occupation names mapped to the nearest ML-1M occupation code. */
const OCCUPATION_CODES: Record<string, number> = {
  administrator: 3,
  artist: 2,
  doctor: 6,
  educator: 1,
  engineer: 17,
  entertainment: 0,
  executive: 7,
  healthcare: 6,
  homemaker: 9,
  lawyer: 11,
  librarian: 1,
  marketing: 14,
  none: 19,
  other: 0,
  programmer: 12,
  retired: 13,
  salesman: 14,
  scientist: 15,
  student: 4,
  technician: 17,
  writer: 20,
};

/** Reads u.data-style files (tab-separated user, item, rating, timestamp). */
async function readRatingFile(path: string): Promise<RatingCollector> {
  const collector = new RatingCollector(FIVE_STARS);
  await readRatings(
    path,
    { separator: '	', fieldNames: '(user, item, rating, timestamp)' },
    collector,
  );
  return collector;
}

async function readMovies(path: string): Promise<Movie[]> {
  const movies: Movie[] = [];
  await forEachLine(path, 'latin1', (text, number) => {
    const fields = text.split('|');
    if (fields.length !== 5 + ML100K_GENRES.length) {
      throw new DatasetError(
        path,
        number,
        `expected ${5 + ML100K_GENRES.length} '|'-separated fields, found ${fields.length}`,
      );
    }
    const id = parseId(fields[0], 'movie id', path, number);
    const genres = ML100K_GENRES.filter(
      (genre, g): genre is string => genre !== null && fields[5 + g] === '1',
    );
    const title = splitTitleYear(parseText(fields[1], 'title', path, number));
    // Column 5 is an IMDb search URL: only its title is kept, and only from an imdb.com URL.
    const links = parseImdbUrl(fields[4]);
    movies.push({ id, ...title, genres, ...(links ? { links } : {}) });
  });
  return movies.sort((a, b) => a.id - b.id);
}

async function readUsers(path: string): Promise<UserProfile[]> {
  const users: UserProfile[] = [];
  await forEachLine(path, 'latin1', (text, number) => {
    const fields = text.split('|');
    if (fields.length !== 5) {
      throw new DatasetError(
        path,
        number,
        `expected 5 '|'-separated fields (id, age, gender, occupation, zip), found ${fields.length}`,
      );
    }
    const id = parseId(fields[0], 'user id', path, number);
    const age = parseId(fields[1], 'age', path, number);
    if (fields[2] !== 'M' && fields[2] !== 'F') {
      throw new DatasetError(path, number, `gender "${fields[2]}" is not M or F`);
    }
    const occupation = OCCUPATION_CODES[fields[3]];
    if (occupation === undefined) {
      throw new DatasetError(path, number, `unknown occupation "${fields[3]}"`);
    }
    const zip = parseText(fields[4], 'zip code', path, number);
    users.push({ id, age, gender: fields[2], occupation, zip });
  });
  return users.sort((a, b) => a.id - b.id);
}

/** Reads the MovieLens 100K folder (u.data, u.item, u.user). */
export async function readMl100k(dir: string): Promise<Dataset> {
  const moviesPath = join(dir, 'u.item');
  const usersPath = join(dir, 'u.user');
  const ratingsPath = join(dir, 'u.data');
  const movies = await readMovies(moviesPath);
  const users = await readUsers(usersPath);
  const ratings = (await readRatingFile(ratingsPath)).build(ratingsPath, {
    movies: { path: moviesPath, entries: movies },
    users: { path: usersPath, entries: users },
  });
  return { ratings, movies, users, scale: FIVE_STARS };
}

/**
 * One of the official ML-100K splits (u1..u5, ua, ub): training and test ratings sharing one index
 * over all users and movies that appear in either file.
 */
export async function readMl100kSplit(
  dir: string,
  split: string,
): Promise<{ train: Ratings; test: Ratings }> {
  if (!/^(u[1-5]|ua|ub)$/.test(split))
    throw new DatasetError(dir, 0, `unknown ML-100K split "${split}"`);
  const basePath = join(dir, `${split}.base`);
  const testPath = join(dir, `${split}.test`);
  const baseCollector = await readRatingFile(basePath);
  const testCollector = await readRatingFile(testPath);
  baseCollector.build(basePath); // checks for repeated pairs
  testCollector.build(testPath);
  const base = baseCollector.columns;
  const test = testCollector.columns;
  const users = IdIndex.fromValues([
    ...base.userIds.subarray(0, base.length),
    ...test.userIds.subarray(0, test.length),
  ]);
  const items = IdIndex.fromValues([
    ...base.itemIds.subarray(0, base.length),
    ...test.itemIds.subarray(0, test.length),
  ]);
  return { train: base.build({ users, items }), test: test.build({ users, items }) };
}
