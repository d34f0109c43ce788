/** `lenslab evaluate` and `lenslab train`, on a tiny ML-100K-format folder. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parametersFor, parseAlgorithms } from '../../src/cli/commands/evaluate.ts';
import { readMl100k } from '../../src/datasets/ml100k.ts';
import type { BlendModel } from '../../src/recsys/algorithms/blend.ts';
import { evaluateAlgorithm, summarize } from '../../src/recsys/eval/evaluate.ts';
import { fitAlgorithm } from '../../src/recsys/index.ts';
import { protocolFolds } from '../../src/recsys/eval/protocols.ts';
import { modelFilesNewestFirst, readModelFile } from '../../src/services/models.ts';
import { ML100K_DIR, tempDir, writeFolder } from '../helpers/files.ts';
import { syntheticRatings } from './helpers.ts';

/** A small ML-100K-format folder (u.data, u.item, u.user) from the synthetic ratings. */
function tinyMl100k(): string {
  const ratings = syntheticRatings(60, 40, 15);
  const data: string[] = [];
  for (let r = 0; r < ratings.length; r++) {
    data.push(
      `${ratings.userIds.ids[ratings.userIndex[r]]}\t${ratings.itemIds.ids[ratings.itemIndex[r]]}\t${ratings.rating[r]}\t${ratings.timestamp[r]}`,
    );
  }
  const flags = Array(19).fill('0').join('|');
  const items = Array.from(
    ratings.itemIds.ids,
    (id) => `${id}|Movie ${id} (1995)|01-Jan-1995||http://example.org|${flags}`,
  );
  const users = Array.from(ratings.userIds.ids, (id) => `${id}|30|F|writer|12345`);
  return writeFolder({
    'u.data': `${data.join('\n')}\n`,
    'u.item': `${items.join('\n')}\n`,
    'u.user': `${users.join('\n')}\n`,
  });
}

const DATA = tinyMl100k();

const RUNNER = new URL('./runCommand.ts', import.meta.url).pathname;

/** Runs a command in a child process (stdout belongs to the test runner here). */
async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const result = spawnSync(process.execPath, ['--import', 'tsx', RUNNER, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '' },
  });
  return { code: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

const base = ['evaluate', '--data', DATA, '--format', 'ml-100k'];

test('evaluate refuses unknown algorithms, parameters and protocols with a clear message', async () => {
  const unknownAlgo = await run(...base, '--protocol', 'kfold5', '--algo', 'svd,magic');
  assert.equal(unknownAlgo.code, 1);
  assert.match(unknownAlgo.stderr, /unknown algorithm "magic" \(known: bias, item-knn/);
  const unknownParam = await run(
    ...base,
    '--protocol',
    'kfold5',
    '--algo',
    'svd',
    '--param',
    'neighbours=5',
  );
  assert.equal(unknownParam.code, 1);
  assert.match(unknownParam.stderr, /unknown parameter "neighbours" \(svd: factors, epochs/);
  const unknownProtocol = await run(...base, '--protocol', 'kfold7', '--algo', 'svd');
  assert.equal(unknownProtocol.code, 1);
  assert.match(
    unknownProtocol.stderr,
    /unknown protocol "kfold7" \(known: kfold5, split90, ml100k-u1/,
  );
  for (const result of [unknownAlgo, unknownParam, unknownProtocol]) {
    assert.equal(result.stdout, '');
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  }
});

test('parameter and algorithm checks behind the CLI', () => {
  assert.throws(() => parametersFor(['svd'], ['factors=-3']), /svd: factors must be ≥ 1/);
  assert.throws(() => parametersFor(['svd'], ['factors']), /must look like name=value/);
  assert.throws(() => parametersFor(['svd'], ['ease.lambda=3']), /"ease" is not among --algo svd/);
  const split = parametersFor(['svd', 'item-knn', 'bias'], ['svd.factors=4', 'neighbours=9']);
  assert.equal(split.get('svd')?.factors, 4);
  assert.equal(split.get('item-knn')?.neighbours, 9);
  assert.equal(split.get('bias')?.neighbours, undefined);
  assert.deepEqual(parseAlgorithms('svd, ease'), ['svd', 'ease']);
  assert.throws(() => parseAlgorithms(''), /at least one algorithm/);
});

test('evaluate --json: one object per algorithm with lower-case metrics and seconds', async () => {
  const result = await run(
    ...base,
    '--protocol',
    'kfold5',
    '--algo',
    'bias,svd',
    '--param',
    'svd.factors=4',
    '--param',
    'epochs=3',
    '--json',
  );
  assert.equal(result.code, 0, result.stderr);
  const json = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
  assert.deepEqual(
    json.map((o) => o.algo),
    ['bias', 'svd'],
  );
  for (const o of json) {
    assert.equal(typeof o.rmse, 'number');
    assert.equal(typeof o.mae, 'number');
    assert.equal(typeof o.fitSeconds, 'number');
    assert.equal(typeof o.predictSeconds, 'number');
    assert.equal(o.folds, 5);
  }
  assert.equal((json[1].params as Record<string, unknown>).factors, 4);
  const ranking = JSON.parse(
    (await run(...base, '--protocol', 'holdout20', '--algo', 'popular,ease', '--json')).stdout,
  );
  assert.ok(
    ranking[1]['recall@20'] >= 0 && ranking[1]['ndcg@10'] >= 0 && ranking[1]['coverage@20'] > 0,
  );
});

test('evaluate prints a table with mean ± sd', async () => {
  const result = await run(...base, '--protocol', 'kfold5', '--algo', 'bias');
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /algo\s+rmse\s+mae\s+fit s\s+predict s/);
  assert.match(result.stdout, /bias\s+\d\.\d{4} ± \d\.\d{4}/);
});

test('train publishes a model file that carries algorithm, parameters, snapshot time and metrics', async () => {
  const out = tempDir();
  const result = await run(
    'train',
    '--algo',
    'svd',
    '--param',
    'factors=4',
    '--data',
    DATA,
    '--format',
    'ml-100k',
    '--out',
    out,
    '--json',
  );
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout);
  assert.deepEqual(modelFilesNewestFirst(out), [summary.path]);
  assert.match(summary.path, /svd-\d{8}T\d{6}Z\.lensmodel$/);
  const model = readModelFile(summary.path);
  assert.equal(model.algorithm, 'svd');
  assert.equal(model.params.factors, 4);
  assert.equal(typeof model.metadata.snapshotTime, 'string');
  assert.equal(model.metadata.metricsProtocol, 'split90');
  // Trained from files: no database, so no server loads it.
  assert.equal(model.metadata.databaseId, null);
  assert.equal(summary.databaseId, null);
  assert.equal(typeof (model.metadata.metrics as Record<string, number>).rmse, 'number');
  assert.ok(readFileSync(summary.path).subarray(0, 8).toString() === 'LENSMODL');
});

test('bin/lenslab evaluate runs ALS on worker threads', { timeout: 60_000 }, () => {
  const bin = new URL('../../bin/lenslab', import.meta.url).pathname;
  const result = spawnSync(
    bin,
    [
      ...base,
      '--protocol',
      'split90',
      '--algo',
      'als',
      '--param',
      'factors=4',
      '--threads',
      '2',
      '--json',
    ],
    { encoding: 'utf8' },
  );
  assert.equal(result.status, 0, result.stderr);
  const [als] = JSON.parse(result.stdout);
  assert.ok(als.rmse > 0.3 && als.rmse < 1.5);
});

test(
  'bin/lenslab train fits a blend with its members on worker threads',
  { timeout: 60_000 },
  async () => {
    const bin = new URL('../../bin/lenslab', import.meta.url).pathname;
    const out = tempDir();
    const args = ['train', '--algo', 'blend', '--param', 'members=item-knn,svd,als'];
    const result = spawnSync(
      bin,
      [...args, '--data', DATA, '--format', 'ml-100k', '--out', out, '--threads', '2', '--json'],
      { encoding: 'utf8' },
    );
    assert.equal(result.status, 0, result.stderr);
    const blend = readModelFile(JSON.parse(result.stdout).path) as BlendModel;
    assert.deepEqual(
      blend.members.map((member) => member.algorithm),
      ['item-knn', 'svd', 'als'],
    );
    // The same model as fitted on one thread, from the same data and seed.
    const dataset = await readMl100k(DATA);
    const alone = fitAlgorithm(
      'blend',
      dataset.ratings,
      { members: 'item-knn,svd,als' },
      {
        seed: blend.metadata.seed as number,
        scale: dataset.scale,
      },
    );
    for (let i = 0; i < 20; i++) assert.equal(blend.predict(1, i), alone.predict(1, i));
  },
);

test(
  'ML-100K: the bias baseline on kfold5 is in the published range',
  { skip: existsSync(join(ML100K_DIR, 'u.data')) ? false : `ML-100K not found at ${ML100K_DIR}` },
  async () => {
    const dataset = await readMl100k(ML100K_DIR);
    const folds = protocolFolds('kfold5', dataset.ratings);
    const bias = summarize(
      'bias',
      {},
      evaluateAlgorithm('bias', {}, folds, 'rating', { scale: dataset.scale }),
    ).metrics;
    // Surprise BaselineOnly: RMSE 0.944, MAE 0.748 on this protocol.
    assert.ok(bias.rmse > 0.93 && bias.rmse < 0.955, `rmse ${bias.rmse}`);
    assert.ok(bias.mae > 0.73 && bias.mae < 0.76, `mae ${bias.mae}`);
  },
);
