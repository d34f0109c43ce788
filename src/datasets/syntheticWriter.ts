/**
 * `lenslab generate` without holding the data: the generator is replayed twice, first for the
 * latent scores alone (4 bytes a rating, from which the star cuts are taken), then to write
 * ratings.dat user by user through a small buffer. Memory is the catalog, the scores and a
 * user's worth of ratings, so 10M ratings take well under 1 GB; the files are byte for byte those
 * of `writeMl1m(generateSynthetic(options))`.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { UserProfile } from './dataset.ts';
import { writeMl1mUsersAndMovies } from './ml1m.ts';
import { replaySynthetic, starCuts, starOf, type SyntheticOptions } from './synthetic.ts';

/** Bytes of ratings.dat gathered before each write. */
const CHUNK = 1 << 20;

/**
 * Writes a synthetic dataset as MovieLens 1M files into `dir`. `onProgress(done, total)` counts
 * ratings over both passes (total = 2 × ratings).
 */
export function writeSyntheticMl1m(
  options: SyntheticOptions,
  dir: string,
  onProgress?: (done: number, total: number) => void,
): void {
  const total = 2 * options.ratings;
  const scores = new Float32Array(options.ratings);
  let r = 0;
  replaySynthetic(options, (_user, rated) => {
    scores.set(rated.scores.subarray(0, rated.count), r);
    r += rated.count;
    onProgress?.(r, total);
  });
  const cuts = starCuts(scores);

  const users: UserProfile[] = [];
  mkdirSync(dir, { recursive: true });
  const fd = openSync(join(dir, 'ratings.dat'), 'w');
  let chunk = '';
  let written = 0;
  const movies = replaySynthetic(options, (user, rated) => {
    users.push(user);
    for (let k = 0; k < rated.count; k++) {
      chunk += `${user.id}::${rated.items[k] + 1}::${starOf(rated.scores[k], cuts)}::${rated.times[k]}\n`;
    }
    if (chunk.length >= CHUNK) {
      writeSync(fd, chunk, null, 'latin1');
      chunk = '';
    }
    written += rated.count;
    onProgress?.(options.ratings + written, total);
  });
  writeSync(fd, chunk, null, 'latin1');
  closeSync(fd);
  writeMl1mUsersAndMovies(
    dir,
    users.map((user) => user.id),
    users,
    movies,
  );
}
