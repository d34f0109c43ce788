import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HALF_STARS, splitTitleYear, type Dataset, type Movie } from './dataset.ts';
import { RatingCollector, readRatingFile } from './collector.ts';
import { forEachCsvRow } from './csv.ts';
import { DatasetError } from './errors.ts';
import { parseId, parseText } from './lines.ts';
import { readMlLatestTags } from './mlLatestTags.ts';
import { parseLinkId, type MovieLinks } from './movieLinks.ts';

const NO_GENRES = '(no genres listed)';
const MOVIES_HEADER = 'movieId,title,genres';
export const LINKS_HEADER = 'movieId,imdbId,tmdbId';

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

/** links.csv (movieId,imdbId,tmdbId; either id may be empty): the links of each movie. */
async function readLinks(path: string): Promise<Map<number, MovieLinks>> {
  const links = new Map<number, MovieLinks>();
  await forEachCsvRow(path, LINKS_HEADER, (fields, number) => {
    const movieId = parseId(fields[0], 'movie id', path, number);
    const imdbId = parseLinkId(fields[1]);
    const tmdbId = parseLinkId(fields[2]);
    if (imdbId === undefined || tmdbId === undefined) {
      const [what, value] = imdbId === undefined ? ['imdbId', fields[1]] : ['tmdbId', fields[2]];
      throw new DatasetError(path, number, `${what} "${value}" is not a whole number`);
    }
    if (imdbId !== null || tmdbId !== null)
      links.set(movieId, { imdbId, tmdbId, imdbSearch: null });
  });
  return links;
}

/**
 * Reads the MovieLens 20M/25M/32M/latest CSV format: ratings.csv
 * (userId,movieId,rating,timestamp; half stars) and movies.csv (movieId,title,genres; titles
 * quoted when they hold commas), UTF-8, and links.csv (movieId,imdbId,tmdbId) and tags.csv
 * (userId,movieId,tag,timestamp) when present.
 */
export async function readMlLatest(dir: string): Promise<Dataset> {
  const moviesPath = join(dir, 'movies.csv');
  const movies = await readMovies(moviesPath);
  const linksPath = join(dir, 'links.csv');
  if (existsSync(linksPath)) {
    const links = await readLinks(linksPath);
    for (const movie of movies) {
      const link = links.get(movie.id);
      if (link) movie.links = link;
    }
  }
  const collector = new RatingCollector(HALF_STARS);
  const header = 'userId,movieId,rating,timestamp';
  const path = join(dir, 'ratings.csv');
  await readRatingFile(path, { separator: ',', fieldNames: `(${header})`, header }, collector);
  const ratings = collector.build(path, { movies: { path: moviesPath, entries: movies } });
  const tags = await readMlLatestTags(dir, movies);
  return { ratings, movies, users: [], scale: HALF_STARS, ...(tags ? { tags } : {}) };
}
