import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalOrder, joinTitleYear, type Dataset } from './dataset.ts';
import { csvField } from './csv.ts';
import { LINKS_HEADER } from './mlLatest.ts';
import { formatImdbId } from './movieLinks.ts';
import { mlLatestTagsCsv } from './mlLatestTags.ts';

const NO_GENRES = '(no genres listed)';

function formatRating(rating: number): string {
  return Number.isInteger(rating) ? `${rating}.0` : String(Math.round(rating * 10) / 10);
}

/**
 * Writes a Dataset in the MovieLens latest CSV format (UTF-8): ratings.csv
 * (userId,movieId,rating,timestamp, sorted by user then movie) and movies.csv
 * (movieId,title,genres, sorted by id), links.csv (movieId,imdbId,tmdbId) for the movies with
 * an IMDb or TMDb id, and tags.csv when the dataset has tags. The format has no users file.
 */
export function writeMlLatest(dataset: Dataset, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const { ratings } = dataset;
  const order = canonicalOrder(ratings);
  const lines: string[] = new Array(order.length + 1);
  lines[0] = 'userId,movieId,rating,timestamp\n';
  for (let k = 0; k < order.length; k++) {
    const r = order[k];
    lines[k + 1] =
      `${ratings.userIds.ids[ratings.userIndex[r]]},${ratings.itemIds.ids[ratings.itemIndex[r]]},${formatRating(ratings.rating[r])},${ratings.timestamp[r]}\n`;
  }
  writeFileSync(join(dir, 'ratings.csv'), lines.join(''), 'utf8');
  const movieLines = [...dataset.movies]
    .sort((a, b) => a.id - b.id)
    .map(
      (movie) =>
        `${movie.id},${csvField(joinTitleYear(movie))},${csvField(movie.genres.length === 0 ? NO_GENRES : movie.genres.join('|'))}\n`,
    );
  writeFileSync(join(dir, 'movies.csv'), `movieId,title,genres\n${movieLines.join('')}`, 'utf8');
  const linkLines = [...dataset.movies]
    .sort((a, b) => a.id - b.id)
    .filter((movie) => movie.links && (movie.links.imdbId !== null || movie.links.tmdbId !== null))
    .map(({ id, links }) => {
      const imdb = links!.imdbId === null ? '' : formatImdbId(links!.imdbId);
      return `${id},${imdb},${links!.tmdbId ?? ''}\n`;
    });
  if (linkLines.length > 0)
    writeFileSync(join(dir, 'links.csv'), `${LINKS_HEADER}\n${linkLines.join('')}`, 'utf8');
  if (dataset.tags) writeFileSync(join(dir, 'tags.csv'), mlLatestTagsCsv(dataset.tags), 'utf8');
}
