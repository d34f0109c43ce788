/** Small rating data sets for the recsys tests. */
import { ratingsFromExternalIds, type Ratings } from '../../src/datasets/dataset.ts';
import { Random } from '../../src/util/random.ts';

/**
 * Ratings from [userId, movieId, rating, timestamp?] rows, or from a string of such rows written
 * `user:movie:rating[:timestamp]` and separated by spaces (`'1:11:5 1:12:3 2:11:4'`).
 */
export function ratingsOf(table: ReadonlyArray<readonly number[]> | string): Ratings {
  const rows =
    typeof table === 'string'
      ? table
          .trim()
          .split(/\s+/)
          .map((row) => row.split(':').map(Number))
      : table;
  return ratingsFromExternalIds(
    Int32Array.from(rows, (r) => r[0]),
    Int32Array.from(rows, (r) => r[1]),
    Float32Array.from(rows, (r) => r[2]),
    Uint32Array.from(rows, (r) => r[3] ?? 0),
  );
}

/**
 * A seeded low-rank rating set: `users` users each rating `perUser` of `items` movies (ids
 * 101.., 1001..), ratings 1–5 from two latent tastes plus noise, timestamps increasing.
 */
export function syntheticRatings(users = 60, items = 40, perUser = 15, seed = 7): Ratings {
  const random = new Random(seed);
  const taste = Array.from({ length: users }, () => [random.normal(), random.normal()]);
  const kind = Array.from({ length: items }, () => [random.normal(), random.normal()]);
  const quality = Array.from({ length: items }, () => random.normal(0, 0.5));
  const rows: number[][] = [];
  let time = 1_000_000;
  for (let u = 0; u < users; u++) {
    const chosen = new Set<number>();
    while (chosen.size < perUser) chosen.add(Math.floor(random.next() ** 1.5 * items));
    for (const i of [...chosen].sort((a, b) => a - b)) {
      const value =
        3.4 +
        quality[i] +
        0.8 * (taste[u][0] * kind[i][0] + taste[u][1] * kind[i][1]) +
        random.normal(0, 0.3);
      rows.push([101 + u, 1001 + i, Math.min(5, Math.max(1, Math.round(value))), (time += 60)]);
    }
  }
  return ratingsOf(rows);
}
