/**
 * A server serves only models trained on its own database: `lenslab train --db other.db` into
 * the folder a server reads must not take the site over, even when the movie ids overlap.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { generateSynthetic } from '../../src/datasets/synthetic.ts';
import { migrateToLatest, openDatabase } from '../../src/db/connection.ts';
import { fitAlgorithm } from '../../src/recsys/index.ts';
import { importDataset } from '../../src/services/datasets.ts';
import { ModelRuns } from '../../src/services/modelRuns.ts';
import { databaseIdOf, publishModel, readModelFile } from '../../src/services/models.ts';
import { Recommender } from '../../src/services/recommendations.ts';
import { testDatabases } from '../helpers/databases.ts';
import { tempDir } from '../helpers/files.ts';
import { CATALOG, member, startApi } from './harness.ts';

const RUNNER = new URL('../recsys/runCommand.ts', import.meta.url).pathname;

/** `lenslab train …` in a child process; its standard output. */
function train(...args: string[]): string {
  const result = spawnSync(process.execPath, ['--import', 'tsx', RUNNER, 'train', ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '' },
  });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

/** Another database (a SQLite file) with the same catalog, so every movie id overlaps. */
async function otherDatabase(): Promise<{ path: string; id: string }> {
  const path = join(tempDir(), 'other.db');
  const db = await openDatabase(path);
  try {
    await migrateToLatest(db);
    await importDataset(db, generateSynthetic(CATALOG), 'empty');
    return { path, id: await databaseIdOf(db) };
  } finally {
    await db.close();
  }
}

for (const database of testDatabases) {
  describe(`models and their database (${database.name})`, { skip: database.skip }, () => {
    test('a server serves its own model and skips, once and saying why, one trained on another database or on files', async () => {
      const modelsDir = tempDir('lenslab-models-');
      const logs: string[] = [];
      const api = await startApi(database, {
        log: (message) => logs.push(message),
        recommenderOptions: { modelsDir, watchIntervalMs: 0, algorithm: 'svd' },
      });
      try {
        const recommender = api.app.services.recommender;
        const ownId = await databaseIdOf(api.db);

        // This database's model is loaded; train says which database it belongs to.
        const printed = train(
          '--db',
          api.db.location,
          '--algo',
          'bias',
          '--no-metrics',
          '--out',
          modelsDir,
        );
        const own = /published (\S+)/.exec(printed)![1];
        assert.ok(
          printed.includes(`belongs to database ${api.db.location} (id ${ownId})`),
          printed,
        );
        assert.equal(readModelFile(own).metadata.databaseId, ownId);
        assert.equal(recommender.loadNewest(), true);
        assert.ok(
          logs.includes(`recommendations: using the published rating model ${own}`),
          logs.join('\n'),
        );
        const { client } = await member(api);
        const served = async () =>
          ((await client.get('/api/recommendations?n=3')).json as { model: { algorithm: string } })
            .model.algorithm;
        assert.equal(await served(), 'bias');

        // A newer model of another database with the same movie ids is skipped.
        const other = await otherDatabase();
        const foreign = JSON.parse(
          train(
            '--db',
            other.path,
            '--algo',
            'popular',
            '--no-metrics',
            '--out',
            modelsDir,
            '--json',
          ),
        ) as { path: string; databaseId: string };
        assert.equal(foreign.databaseId, other.id);
        assert.notEqual(other.id, ownId);
        // A model trained from dataset files has no database and is skipped too.
        const files = publishModel(
          fitAlgorithm('popular', generateSynthetic(CATALOG).ratings, {}, { seed: 1 }),
          {
            databaseId: null,
            source: 'ml-1m files ./ml-1m',
            snapshotTime: new Date().toISOString(),
            trainedAt: new Date().toISOString(),
            ratings: CATALOG.ratings,
            users: CATALOG.users,
            items: CATALOG.movies,
            seed: 1,
            metrics: {},
            metricsProtocol: null,
          },
          modelsDir,
          new Date(Date.now() + 60_000),
        );
        for (let check = 0; check < 3; check++) assert.equal(recommender.loadNewest(), true);
        assert.equal(await served(), 'bias');
        assert.deepEqual(
          logs.filter((line) => line.includes('skipping')),
          [
            `recommendations: skipping ${files}: no database id (source: ml-1m files ./ml-1m): models trained from dataset files, or before lenslab recorded database ids, are never served`,
            `recommendations: skipping ${foreign.path}: trained on another database (id ${other.id}, database ${other.path}; this one is ${ownId})`,
          ],
        );

        // After a restart, too, the server picks its own model over the newer ones.
        const restarted = await Recommender.start(api.db, api.app.services.catalog, {
          modelsDir,
          watchIntervalMs: 0,
        });
        assert.equal(restarted.modelInfo.algorithm, 'bias');
        assert.ok(own.endsWith(`${restarted.modelInfo.version}.lensmodel`));
      } finally {
        await api.close();
      }
    });

    test('a model run of the console publishes a model of this database, which the server serves', async () => {
      const modelsDir = tempDir('lenslab-models-');
      const api = await startApi(database, {
        recommenderOptions: { modelsDir, watchIntervalMs: 0, algorithm: 'svd' },
      });
      try {
        const recommender = api.app.services.recommender;
        const runs = new ModelRuns(api.db, recommender, { modelsDir });
        const { id } = runs.start({ kind: 'train', algorithm: 'bias', publish: true });
        await runs.idle();
        const run = runs.get(id)!;
        assert.equal(run.status, 'done', run.error ?? '');
        const path = join(modelsDir, `${run.modelVersion}.lensmodel`);
        assert.equal(readModelFile(path).metadata.databaseId, await databaseIdOf(api.db));
        assert.equal(readModelFile(path).metadata.source, `database ${api.db.location}`);
        // The watcher finds the same file servable.
        const restarted = await Recommender.start(api.db, api.app.services.catalog, {
          modelsDir,
          watchIntervalMs: 0,
        });
        assert.equal(restarted.modelInfo.version, run.modelVersion);
      } finally {
        await api.close();
      }
    });
  });
}
