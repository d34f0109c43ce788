import { join } from 'node:path';
import { HALF_STARS, splitTitleYear, type Dataset, type Movie } from './dataset.ts';
import { RatingCollector, readRatingFile } from './collector.ts';
import { forEachCsvRow } from './csv.ts';
import { parseId, parseText } from './lines.ts';
import { readMlLatestTags } from './mlLatestTags.ts';

const NO_GENRES = '(no genres listed)';
const MOVIES_HEADER = 'movieId,title,genres';

async function readMovies(path: string): Promise<Movie[]> {
  const movies: Movie[] = [];
  await forEachCsvRow(path, MOVIES_HEADER, (fields, number) => {
    const [id, title, genres] = fields;
    parseText(genres, 'genres', path, number);
    movies.push({
      id: parseId(id, 'movie id', path, number),
      ...splitTitleYear(parseText(title, 'title', path, number)),
      genres: genres === NO_GENRES || genres === '' ? [] : genres.split('|'),
    });
  });
  return movies.sort((a, b) => a.id - b.id);
}

/**
 * Reads the MovieLens 20M/25M/32M/latest CSV format: ratings.csv
 * (userId,movieId,rating,timestamp; half stars) and movies.csv (movieId,title,genres; titles
 * quoted when they hold commas), UTF-8, and tags.csv (userId,movieId,tag,timestamp) when present.
 */
export async function readMlLatest(dir: string): Promise<Dataset> {
  const moviesPath = join(dir, 'movies.csv');
  const movies = await readMovies(moviesPath);
  const collector = new RatingCollector(HALF_STARS);
  const header = 'userId,movieId,rating,timestamp';
  const path = join(dir, 'ratings.csv');
  await readRatingFile(path, { separator: ',', fieldNames: `(${header})`, header }, collector);
  const ratings = collector.build(path, { movies: { path: moviesPath, entries: movies } });
  const tags = await readMlLatestTags(dir, movies);
  return { ratings, movies, users: [], scale: HALF_STARS, ...(tags ? { tags } : {}) };
}
