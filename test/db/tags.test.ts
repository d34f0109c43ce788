import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { readMlLatest } from '../../src/datasets/mlLatest.ts';
import { writeMlLatest } from '../../src/datasets/mlLatestWriter.ts';
import { importDataset } from '../../src/services/datasets.ts';
import { loadDataset } from '../../src/services/datasetLoading.ts';
import { testDatabases, withFreshDatabase } from '../helpers/databases.ts';
import { tempDir, writeFolder } from '../helpers/files.ts';

const FILES = {
  'movies.csv': 'movieId,title,genres\n1,Amélie (2001),Comedy\n2,"Heat, The (1995)",Action\n',
  'ratings.csv': 'userId,movieId,rating,timestamp\n1,1,4.0,964982703\n2,2,3.5,964981247\n',
  // User 9 only tagged (ml-latest's taggers need not have rated); a duplicate by case is one tag;
  // a tag holding an e-mail address is not stored.
  'tags.csv': [
    'userId,movieId,tag,timestamp',
    '1,1,"whimsical, French",1445714994',
    '1,1,"say ""bonjour""",1445714995',
    '9,2,heist,1445714996',
    '9,2,HEIST,1445714997',
    '9,1,mail bob@example.org,1445714998',
    '',
  ].join('\n'),
};

for (const database of testDatabases) {
  describe(`ml-latest tags in the database (${database.name})`, { skip: database.skip }, () => {
    test('import stores tags.csv (taggers become users); export writes it back', async () => {
      await withFreshDatabase(database, async (db) => {
        const dataset = await readMlLatest(writeFolder(FILES, 'utf8'));
        const summary = await importDataset(db, dataset, 'empty');
        assert.deepEqual(summary, { movies: 2, users: 3, ratings: 2, tags: 3 });
        const stored = await db.kysely
          .selectFrom('tags')
          .select(['user_id', 'tag_key', 'tag'])
          .orderBy('user_id')
          .orderBy('tag_key')
          .execute();
        assert.deepEqual(stored, [
          { user_id: 1, tag_key: 'say "bonjour"', tag: 'say "bonjour"' },
          { user_id: 1, tag_key: 'whimsical, french', tag: 'whimsical, French' },
          { user_id: 9, tag_key: 'heist', tag: 'heist' },
        ]);
        const out = tempDir();
        writeMlLatest(await loadDataset(db), out);
        assert.equal(
          readFileSync(join(out, 'tags.csv'), 'utf8'),
          [
            'userId,movieId,tag,timestamp',
            '1,1,"whimsical, French",1445714994',
            '1,1,"say ""bonjour""",1445714995',
            '9,2,heist,1445714996',
            '',
          ].join('\n'),
        );
      });
    });
  });
}
