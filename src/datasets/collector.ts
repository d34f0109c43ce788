import { basename } from 'node:path';
import {
  RatingColumnsBuilder,
  onScale,
  scaleText,
  type IdIndex,
  type RatingScale,
  type Ratings,
} from './dataset.ts';
import { DatasetError } from './errors.ts';
import { decodeLine, forEachLineBytes, parseId, parseNumberFields } from './lines.ts';

/**
 * Collects validated ratings from files: each must lie on the rating scale, and a (user, movie)
 * pair may appear only once (checked when building). Errors name the file and line.
 */
export class RatingCollector {
  readonly columns = new RatingColumnsBuilder();
  private lineNumbers = new Uint32Array(1 << 16);
  private files: string[] = [];
  private fileOfRow = new Uint16Array(1 << 16);

  constructor(readonly scale: RatingScale) {}

  add(
    path: string,
    line: number,
    userId: number,
    movieId: number,
    rating: number,
    ratingText: string,
    timestamp: number,
  ): void {
    if (!onScale(rating, this.scale)) {
      throw new DatasetError(
        path,
        line,
        `rating "${ratingText}" is outside ${scaleText(this.scale)}`,
      );
    }
    const row = this.columns.length;
    if (row === this.lineNumbers.length) {
      const lines = new Uint32Array(row * 2);
      lines.set(this.lineNumbers);
      this.lineNumbers = lines;
      const files = new Uint16Array(row * 2);
      files.set(this.fileOfRow);
      this.fileOfRow = files;
    }
    if (this.files[this.files.length - 1] !== path) this.files.push(path);
    this.lineNumbers[row] = line;
    this.fileOfRow[row] = this.files.length - 1;
    this.columns.add(userId, movieId, rating, timestamp);
  }

  /**
   * The columnar ratings. Throws when `source` (the ratings file or folder) holds none, at the
   * first line naming a movie or a user missing from its list file, and at the first line that
   * repeats a (user, movie) pair.
   */
  build(source: string, lists: { movies?: IdListFile; users?: IdListFile } = {}): Ratings {
    if (this.columns.length === 0) throw new DatasetError(source, 0, 'no ratings');
    const ratings = this.columns.build();
    if (lists.movies) this.requireListed('movie', ratings.itemIndex, ratings.itemIds, lists.movies);
    if (lists.users) this.requireListed('user', ratings.userIndex, ratings.userIds, lists.users);
    // Group rows by user (counting sort), then mark each user's movies to spot repeats.
    const users = ratings.userIds.size;
    const start = new Int32Array(users + 1);
    for (let r = 0; r < ratings.length; r++) start[ratings.userIndex[r] + 1]++;
    for (let u = 0; u < users; u++) start[u + 1] += start[u];
    const next = start.slice(0, users);
    const rows = new Int32Array(ratings.length);
    for (let r = 0; r < ratings.length; r++) rows[next[ratings.userIndex[r]]++] = r;
    const seenBy = new Int32Array(ratings.itemIds.size).fill(-1);
    const firstRow = new Int32Array(ratings.itemIds.size);
    for (let u = 0; u < users; u++) {
      for (let k = start[u]; k < start[u + 1]; k++) {
        const r = rows[k];
        const item = ratings.itemIndex[r];
        if (seenBy[item] === u) {
          const later = Math.max(r, firstRow[item]);
          throw this.errorAt(
            later,
            `duplicate rating of movie ${ratings.itemIds.ids[item]} by user ${ratings.userIds.ids[u]}`,
          );
        }
        seenBy[item] = u;
        firstRow[item] = r;
      }
    }
    return ratings;
  }

  /** Throws at the first row whose id (dense index `indexOfRow[row]` into `ids`) `list` lacks. */
  private requireListed(
    what: 'movie' | 'user',
    indexOfRow: Int32Array,
    ids: IdIndex,
    list: IdListFile,
  ): void {
    const listed = new Set(list.entries.map((entry) => entry.id));
    const missing = Uint8Array.from(ids.ids, (id) => (listed.has(id) ? 0 : 1));
    if (!missing.includes(1)) return;
    const row = indexOfRow.findIndex((index) => missing[index] === 1);
    throw this.errorAt(row, `${what} ${ids.ids[indexOfRow[row]]} is not in ${basename(list.path)}`);
  }

  /** An error naming the file and line of rating row `row`. */
  private errorAt(row: number, reason: string): DatasetError {
    return new DatasetError(this.files[this.fileOfRow[row]], this.lineNumbers[row], reason);
  }
}

/** The file that lists the movies (or users) ratings may name. */
export interface IdListFile {
  path: string;
  entries: ReadonlyArray<{ id: number }>;
}

export function parseTimestamp(value: string, path: string, line: number): number {
  if (!/^\d{1,10}$/.test(value) || Number(value) > 4294967295) {
    throw new DatasetError(path, line, `timestamp "${value}" is not a Unix time in seconds`);
  }
  return Number(value);
}

export interface RatingFileLayout {
  /** Field separator, e.g. "::" or "\t". */
  separator: string;
  /** What the four fields are called, for error messages. */
  fieldNames: string;
  /** Skip the first line (a CSV header), after checking it equals this text. */
  header?: string;
}

/**
 * Reads a file of "user SEP movie SEP rating SEP timestamp" lines into the collector. Lines of
 * plain numbers take a fast byte-level path; anything else is parsed as text so that the error
 * names exactly what is wrong.
 */
export async function readRatingFile(
  path: string,
  layout: RatingFileLayout,
  collector: RatingCollector,
): Promise<void> {
  const separatorBytes = Buffer.from(layout.separator, 'latin1');
  const values = new Float64Array(4);
  const expectsHeader = layout.header !== undefined;
  await forEachLineBytes(path, (bytes, number) => {
    if (expectsHeader && number === 1) {
      const header = decodeLine(bytes, 'utf8', path, number).replace(/^\uFEFF/, '');
      if (header !== layout.header)
        throw new DatasetError(
          path,
          number,
          `expected the header "${layout.header}", found "${header}"`,
        );
      return;
    }
    if (
      parseNumberFields(bytes, separatorBytes, 4, values) &&
      Number.isInteger(values[0]) &&
      Number.isInteger(values[1]) &&
      Number.isInteger(values[3]) &&
      values[0] <= 2147483647 &&
      values[1] <= 2147483647
    ) {
      collector.add(path, number, values[0], values[1], values[2], String(values[2]), values[3]);
      return;
    }
    const text = decodeLine(bytes, 'latin1', path, number);
    const fields = text.split(layout.separator);
    if (fields.length !== 4) {
      const shown = layout.separator === '\t' ? 'tab' : `"${layout.separator}"`;
      throw new DatasetError(
        path,
        number,
        `expected 4 fields ${layout.fieldNames} separated by ${shown}, found ${fields.length}`,
      );
    }
    const user = parseId(fields[0], 'user id', path, number);
    const movie = parseId(fields[1], 'movie id', path, number);
    const rating = fields[2].trim() === '' ? NaN : Number(fields[2]);
    collector.add(
      path,
      number,
      user,
      movie,
      rating,
      fields[2],
      parseTimestamp(fields[3], path, number),
    );
  });
}
