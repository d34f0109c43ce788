/**
 * The change feed on its own (both databases): another node's notes reach this node's listeners
 * in order, its own are skipped, and a note this version cannot read (a newer node's kind) is
 * passed over without stopping the ones after it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ChangeFeed } from '../../src/services/changeFeed.ts';
import { lastNoteId, writeNote } from '../../src/services/changeLog.ts';
import { MemberChanges, type ChangeNote } from '../../src/services/memberChanges.ts';
import { testDatabases, withFreshDatabase } from '../helpers/databases.ts';

const rating = (memberId: number, movieId: number): ChangeNote => ({
  kind: 'rating',
  change: { memberId, movieId, rating: 4, previousRating: null, ratedAt: 1 },
});

for (const database of testDatabases) {
  describe(`change feed (${database.name})`, { skip: database.skip }, () => {
    test('applies other nodes’ notes in order, skips its own and unreadable ones', async () => {
      await withFreshDatabase(database, async (db) => {
        const changes = new MemberChanges();
        const heard: string[] = [];
        changes.listen({
          ratingChanged: (c) => heard.push(`rating ${c.memberId}/${c.movieId}`),
          sessionsEnded: (memberId) => heard.push(`sessions ${memberId}`),
        });
        changes.listen({ ratingChanged: () => heard.push('local only') }, { remote: false });
        await writeNote(db.kysely, 'other', rating(1, 1)); // before the start: already held
        const feed = await ChangeFeed.start(db, changes, await lastNoteId(db), { pollMs: 20 });
        try {
          await writeNote(db.kysely, 'other', rating(2, 5));
          await writeNote(db.kysely, changes.node, rating(3, 5));
          await db.kysely
            .insertInto('change_log')
            .values({ node: 'newer', kind: 'teleport', payload: '{}', created_at: Date.now() })
            .execute();
          await writeNote(db.kysely, 'other', { kind: 'sessions', memberId: 7 });
          for (let i = 0; i < 200 && heard.length < 2; i++)
            await new Promise((resolve) => setTimeout(resolve, 10));
          await feed.settled();
          assert.deepEqual(heard, ['rating 2/5', 'sessions 7']);
        } finally {
          await feed.close();
        }
      });
    });
  });
}
