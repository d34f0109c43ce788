import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RatingColumnsBuilder } from '../../src/datasets/dataset.ts';
import { centroidOf, groupMovies, movieVectors, rowDot } from '../../src/recsys/movieGroups.ts';
import { Random } from '../../src/util/random.ts';

const GROUPS = 4;
const PER_GROUP = 8;

/**
 * Planted tastes: users of type t rate most movies of group t (4–5 stars) and a few movies of the
 * other groups (1–3 stars); movie m belongs to group m % GROUPS, so groups interleave in id order.
 */
function planted(seed: number) {
  const random = new Random(seed);
  const builder = new RatingColumnsBuilder();
  for (let user = 1; user <= 80; user++) {
    const type = user % GROUPS;
    for (let movie = 1; movie <= GROUPS * PER_GROUP; movie++) {
      const own = movie % GROUPS === type;
      if (own ? random.next() < 0.8 : random.next() < 0.1)
        builder.add(user, movie, own ? 4 + random.int(2) : 1 + random.int(3), 0);
    }
  }
  return builder.build();
}

function clustersOf(assignment: Int32Array, ids: ArrayLike<number>): Map<number, number[]> {
  const clusters = new Map<number, number[]>();
  assignment.forEach((group, row) =>
    clusters.set(group, [...(clusters.get(group) ?? []), ids[row]]),
  );
  return clusters;
}

test('groups the movies of a planted dataset by taste, the same way under the same seed', () => {
  const ratings = planted(3);
  const items = Array.from({ length: ratings.itemIds.size }, (_, i) => i);
  const vectors = movieVectors(ratings, items);
  const assignment = groupMovies(vectors, { groups: GROUPS, seed: 11 });
  const ids = Array.from(items, (i) => ratings.itemIds.ids[i]);
  const clusters = clustersOf(assignment, ids);
  assert.equal(clusters.size, GROUPS);
  for (const members of clusters.values()) {
    const planted = new Set(members.map((id) => id % GROUPS));
    assert.equal(planted.size, 1, `one planted group per cluster: ${members.join(',')}`);
    assert.equal(members.length, PER_GROUP);
  }
  assert.deepEqual(groupMovies(vectors, { groups: GROUPS, seed: 11 }), assignment);
  // Another seed finds the same partition (under other group numbers).
  const other = clustersOf(groupMovies(vectors, { groups: GROUPS, seed: 99 }), ids);
  const partition = (c: Map<number, number[]>) => [...c.values()].map((m) => m.join(',')).sort();
  assert.deepEqual(partition(other), partition(clusters));
});

test('vectors are unit length and a movie is closest to its own group’s centroid', () => {
  const ratings = planted(5);
  const items = Array.from({ length: ratings.itemIds.size }, (_, i) => i);
  const vectors = movieVectors(ratings, items);
  for (let row = 0; row < items.length; row++) {
    let norm = 0;
    for (let k = vectors.rowStart[row]; k < vectors.rowStart[row + 1]; k++)
      norm += vectors.values[k] ** 2;
    assert.ok(Math.abs(norm - 1) < 1e-5);
  }
  const rowsOf = (g: number) => items.filter((i) => ratings.itemIds.ids[i] % GROUPS === g);
  const centroids = [0, 1, 2, 3].map((g) => centroidOf(vectors, rowsOf(g)));
  for (let row = 0; row < items.length; row++) {
    const own = ratings.itemIds.ids[row] % GROUPS;
    const scores = centroids.map((c) => rowDot(vectors, row, c));
    assert.equal(scores.indexOf(Math.max(...scores)), own);
  }
});

test('a capacity keeps one group from swallowing the others', () => {
  const ratings = planted(7);
  const items = Array.from({ length: ratings.itemIds.size }, (_, i) => i);
  const vectors = movieVectors(ratings, items);
  // Asked for 8 groups of a 4-taste catalog, no group may exceed 1.5 × 32/8 = 6 movies.
  const assignment = groupMovies(vectors, { groups: 8, seed: 1 });
  const sizes = new Map<number, number>();
  for (const group of assignment) sizes.set(group, (sizes.get(group) ?? 0) + 1);
  assert.equal(sizes.size, 8);
  assert.ok(
    [...sizes.values()].every((size) => size <= 6),
    JSON.stringify([...sizes]),
  );
});
