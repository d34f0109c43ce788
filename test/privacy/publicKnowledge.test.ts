import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Dataset, PublicKnowledge } from '../../src/datasets/dataset.ts';
import { validatePolicy } from '../../src/privacy/policy.ts';
import { releaseWithAudit } from '../../src/privacy/report.ts';
import { createThread, listBoards } from '../../src/services/community.ts';
import { importDataset } from '../../src/services/datasets.ts';
import { updatePrivacy } from '../../src/services/privacy.ts';
import { mentionIndex, mentionedMovies } from '../../src/services/publicKnowledgeSource.ts';
import { loadReleaseSource } from '../../src/services/releases.ts';
import { testDatabases, withFreshDatabase } from '../helpers/databases.ts';
import { LENIENT_GATE, smallDataset } from './helpers.ts';

const catalog = [
  { id: 50, title: 'Star Wars (1977)' },
  { id: 127, title: 'Godfather, The (1972)' },
  { id: 1, title: 'Toy Story (1995)' },
  { id: 9, title: 'Misérables, Les (1995)' },
];
const index = mentionIndex(catalog);

test('posts name movies by link, or by title with its year (any article order, accents folded)', () => {
  const found = (text: string) => [...mentionedMovies(text, index)].sort((a, b) => a - b);
  assert.deepEqual(found('Loved Star Wars (1977)!'), [50]);
  assert.deepEqual(found('the godfather (1972) beats everything'), [127]);
  assert.deepEqual(found('Godfather, The (1972) and les miserables (1995)'), [9, 127]);
  assert.deepEqual(found('see [this one](/movies/1) and /movies/9'), [1, 9]);
  // A year alone, a title without its year or with another year names nothing.
  assert.deepEqual(found('In 1977 I saw Star Wars; Toy Story (1999) is not a movie here'), []);
});

/** Every third member shares all their ratings (with the month) and names two in posts. */
function withPublicKnowledge(dataset: Dataset): Dataset {
  const { ratings } = dataset;
  const rows: number[] = [];
  for (let r = 0; r < ratings.length; r++)
    if (ratings.userIds.ids[ratings.userIndex[r]] % 3 === 0) rows.push(r);
  const knowledge: PublicKnowledge = {
    userId: Int32Array.from(rows, (r) => ratings.userIds.ids[ratings.userIndex[r]]),
    movieId: Int32Array.from(rows, (r) => ratings.itemIds.ids[ratings.itemIndex[r]]),
    rating: Float32Array.from(rows, (r) => ratings.rating[r]),
    timestamp: Uint32Array.from(rows, (r) => ratings.timestamp[r] - (ratings.timestamp[r] % 86400)),
  };
  return { ...dataset, publicKnowledge: knowledge };
}

test('the public-knowledge adversary re-identifies members whose shared ratings are released; withholding them stops it', () => {
  const source = withPublicKnowledge(
    smallDataset({ users: 300, movies: 400, perUser: [20, 60], seed: 13 }),
  );
  const options = { seed: 2, format: 'ml-1m' as const, utility: false, knowledgeCurve: false };
  const exposed = releaseWithAudit(
    source,
    validatePolicy({ extends: 'naive', gate: { maxReidentified: 0.05, targets: 'all' } }),
    options,
  );
  const attack = exposed.report.audit.publicKnowledge!;
  assert.equal(attack.targets, 100, 'every member who shares is a target');
  assert.ok(attack.reidentified > 0.8, `re-identified ${attack.reidentified}`);
  assert.ok(exposed.report.gate.failures.some((failure) => /public knowledge/.test(failure)));

  const withheld = releaseWithAudit(
    source,
    validatePolicy({ extends: 'naive', publicKnowledge: { withhold: true }, gate: LENIENT_GATE }),
    options,
  );
  const summary = withheld.report.summary!;
  assert.equal(summary.withheldPublicRatings, source.publicKnowledge!.userId.length);
  // Members who share everything have nothing left to release: the adversary has no target.
  assert.equal(withheld.report.audit.publicKnowledge!.targets, 0);
  // None of the public pairs is in the release.
  const live = new Map(
    Array.from(withheld.release.mapping.releaseIds, (id, k) => [
      id,
      withheld.release.mapping.userIds[k],
    ]),
  );
  const released = withheld.published.ratings;
  for (let r = 0; r < released.length; r++)
    assert.notEqual(live.get(released.userIds.ids[released.userIndex[r]])! % 3, 0);
});

for (const database of testDatabases) {
  describe(
    `public knowledge in a database release (${database.name})`,
    { skip: database.skip },
    () => {
      test('loadReleaseSource reads shared ratings (month shown) and rated movies named in posts', async () => {
        await withFreshDatabase(database, async (db) => {
          const dataset = smallDataset({ users: 20, movies: 30, perUser: [20, 25], seed: 3 });
          const [sharing, hiding, posting] = Array.from(dataset.ratings.userIds.ids);
          // Two movies the poster rated: one named by its title, one linked.
          const rated = ratedBy(dataset, posting);
          const [named, linked] = rated;
          const at = dataset.movies.findIndex((movie) => movie.id === named);
          dataset.movies[at] = { ...dataset.movies[at], title: 'Star Wars (1977)' };
          await importDataset(db, dataset, 'empty');
          await updatePrivacy(db, sharing, { ratingsVisibility: 'anonymous' });
          await updatePrivacy(db, hiding, { ratingsVisibility: 'private' });
          await updatePrivacy(db, posting, { username: 'poster', ratingsVisibility: 'private' });
          const [board] = await listBoards(db);
          await createThread(
            db,
            posting,
            board.id,
            'Favourites',
            `Star Wars (1977), and [this](/movies/${linked}), and /movies/999`,
          );
          const source = await loadReleaseSource(db);
          const knowledge = source.dataset.publicKnowledge!;
          const { ratings } = source.dataset;
          const ratingOf = (user: number, movie: number) => {
            for (let r = 0; r < ratings.length; r++) {
              if (
                ratings.userIds.ids[ratings.userIndex[r]] === user &&
                ratings.itemIds.ids[ratings.itemIndex[r]] === movie
              )
                return { rating: ratings.rating[r], time: ratings.timestamp[r] };
            }
            return null;
          };
          const entries = Array.from(knowledge.userId, (user, k) => ({
            user,
            movie: knowledge.movieId[k],
            rating: knowledge.rating[k],
            timestamp: knowledge.timestamp[k],
          }));
          const shared = entries.filter((entry) => entry.user === sharing);
          assert.equal(shared.length, countOf(dataset, sharing));
          for (const entry of shared) {
            const truth = ratingOf(sharing, entry.movie)!;
            assert.equal(entry.rating, truth.rating);
            const month = new Date(truth.time * 1000);
            assert.equal(
              entry.timestamp,
              Date.UTC(month.getUTCFullYear(), month.getUTCMonth(), 1) / 1000,
            );
          }
          assert.ok(!entries.some((entry) => entry.user === hiding));
          // The poster's mentions: only movies they rated, without a date.
          const mentioned = entries.filter((entry) => entry.user === posting);
          assert.deepEqual(
            mentioned.map((entry) => entry.movie).sort((a, b) => a - b),
            [named, linked].sort((a, b) => a - b),
          );
          assert.ok(mentioned.every((entry) => entry.timestamp === 0));
        });
      });
    },
  );
}

function ratedBy(dataset: Dataset, user: number): number[] {
  const u = dataset.ratings.userIds.indexOf(user);
  const movies: number[] = [];
  for (let r = 0; r < dataset.ratings.length; r++)
    if (dataset.ratings.userIndex[r] === u)
      movies.push(dataset.ratings.itemIds.ids[dataset.ratings.itemIndex[r]]);
  return movies;
}

const countOf = (dataset: Dataset, user: number) => ratedBy(dataset, user).length;
