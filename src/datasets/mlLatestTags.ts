import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { csvField, forEachCsvRow } from './csv.ts';
import type { Movie, Tag } from './dataset.ts';
import { DatasetError } from './errors.ts';
import { parseId, parseText } from './lines.ts';

const TAGS_HEADER = 'userId,movieId,tag,timestamp';

/**
 * Reads ml-latest's tags.csv (userId,movieId,tag,timestamp; tags quoted when they hold commas or
 * quotes), or undefined when the folder has none. Every tagged movie must be in the catalog.
 */
export async function readMlLatestTags(dir: string, movies: Movie[]): Promise<Tag[] | undefined> {
  const path = join(dir, 'tags.csv');
  if (!existsSync(path)) return undefined;
  const known = new Set(movies.map((movie) => movie.id));
  const tags: Tag[] = [];
  await forEachCsvRow(path, TAGS_HEADER, (fields, number) => {
    const movieId = parseId(fields[1], 'movie id', path, number);
    if (!known.has(movieId))
      throw new DatasetError(path, number, `movie ${movieId} is not in movies.csv`);
    tags.push({
      userId: parseId(fields[0], 'user id', path, number),
      movieId,
      tag: parseText(fields[2], 'tag', path, number),
      timestamp: parseId(fields[3], 'timestamp', path, number),
    });
  });
  return tags;
}

/** tags.csv text in ml-latest's layout, sorted by user, movie, then time. */
export function mlLatestTagsCsv(tags: readonly Tag[]): string {
  const lines = sortedTags(tags).map(
    (t) => `${t.userId},${t.movieId},${csvField(t.tag)},${t.timestamp}\n`,
  );
  return `${TAGS_HEADER}\n${lines.join('')}`;
}

/** Tags in the canonical order of files lenslab writes (user, movie, time, text). */
export function sortedTags(tags: readonly Tag[]): Tag[] {
  return [...tags].sort(
    (a, b) =>
      a.userId - b.userId ||
      a.movieId - b.movieId ||
      a.timestamp - b.timestamp ||
      (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0),
  );
}
