import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FIVE_STARS, type Dataset, type Movie } from './dataset.ts';
import { RatingCollector } from './collector.ts';
import { DatasetError } from './errors.ts';
import { forEachLine, parseId, parseText } from './lines.ts';

function parseDate(value: string, path: string, line: number): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const time = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN;
  if (!match || Number.isNaN(time) || new Date(time).getUTCDate() !== Number(match[3])) {
    throw new DatasetError(path, line, `date "${value}" is not YYYY-MM-DD`);
  }
  return time / 1000;
}

async function readTitles(path: string): Promise<Movie[]> {
  const movies: Movie[] = [];
  await forEachLine(path, 'latin1', (text, number) => {
    const first = text.indexOf(',');
    const second = text.indexOf(',', first + 1);
    if (first < 0 || second < 0) {
      throw new DatasetError(path, number, 'expected MovieID,YearOfRelease,Title');
    }
    const year = text.slice(first + 1, second);
    movies.push({
      id: parseId(text.slice(0, first), 'movie id', path, number),
      title: parseText(text.slice(second + 1), 'title', path, number),
      year: year === 'NULL' ? null : parseId(year, 'year', path, number),
      genres: [],
    });
  });
  return movies.sort((a, b) => a.id - b.id);
}

/** Reads rating blocks: a "MovieID:" line, then "CustomerID,Rating,Date" lines. */
async function readBlocks(path: string, collector: RatingCollector): Promise<void> {
  let movie = -1;
  await forEachLine(path, 'latin1', (text, number) => {
    if (text.endsWith(':')) {
      movie = parseId(text.slice(0, -1), 'movie id', path, number);
      return;
    }
    if (movie < 0) throw new DatasetError(path, number, 'rating before the first "MovieID:" line');
    const fields = text.split(',');
    if (fields.length !== 3) {
      throw new DatasetError(
        path,
        number,
        `expected 3 comma-separated fields (CustomerID,Rating,Date), found ${fields.length}`,
      );
    }
    const customer = parseId(fields[0], 'customer id', path, number);
    const rating = fields[1].trim() === '' ? NaN : Number(fields[1]);
    collector.add(
      path,
      number,
      customer,
      movie,
      rating,
      fields[1],
      parseDate(fields[2], path, number),
    );
  });
}

/**
 * Reads the Netflix Prize data: a folder with movie_titles.txt and either training_set/mv_*.txt
 * (the original layout) or combined_data_*.txt. Dates become Unix times at midnight UTC.
 */
export async function readNetflix(dir: string): Promise<Dataset> {
  const titlesPath = join(dir, 'movie_titles.txt');
  const movies = await readTitles(titlesPath);
  const trainingSet = join(dir, 'training_set');
  const files = existsSync(trainingSet)
    ? readdirSync(trainingSet)
        .filter((f) => /^mv_\d+\.txt$/.test(f))
        .sort()
        .map((f) => join(trainingSet, f))
    : readdirSync(dir)
        .filter((f) => /^combined_data_\d+\.txt$/.test(f))
        .sort()
        .map((f) => join(dir, f));
  if (files.length === 0) {
    throw new DatasetError(
      dir,
      0,
      'no rating files: expected training_set/mv_*.txt or combined_data_*.txt',
    );
  }
  const collector = new RatingCollector(FIVE_STARS);
  for (const file of files) await readBlocks(file, collector);
  // Without any rating, name the one file, or the folder of several.
  const source = files.length === 1 ? files[0] : dirname(files[0]);
  const ratings = collector.build(source, { movies: { path: titlesPath, entries: movies } });
  return { ratings, movies, users: [], scale: FIVE_STARS };
}
