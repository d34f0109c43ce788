import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/files.ts';

const LENSLAB = new URL('../../bin/lenslab', import.meta.url).pathname;

function lenslab(...args: string[]) {
  const result = spawnSync(LENSLAB, args, {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function countRatings(db: string): number {
  const result = lenslab('--db', db, 'export', '--out', tempDir(), '--overwrite', '--json');
  return JSON.parse(result.stdout).ratings;
}

test('every command answers --help', () => {
  for (const command of ['serve', 'migrate', 'import', 'export', 'generate']) {
    const result = lenslab(command, '--help');
    assert.equal(result.code, 0, command);
    assert.match(result.stdout, new RegExp(`Usage: lenslab ${command}`));
  }
});

test('generate → import → export round-trips through the CLI byte for byte', () => {
  const dir = tempDir();
  const generated = join(dir, 'generated');
  const db = join(dir, 'lenslab.db');
  assert.equal(
    lenslab(
      'generate',
      '--users',
      '50',
      '--movies',
      '200',
      '--ratings',
      '2000',
      '--seed',
      '9',
      '--out',
      generated,
    ).code,
    0,
  );
  const imported = lenslab('--db', db, 'import', '--format', 'ml-1m', generated, '--json');
  assert.equal(imported.code, 0, imported.stderr);
  assert.equal(JSON.parse(imported.stdout).ratings, 2000);
  const exported = join(dir, 'exported');
  assert.equal(lenslab('--db', db, 'export', '--out', exported).code, 0);
  for (const name of ['ratings.dat', 'users.dat', 'movies.dat']) {
    assert.deepEqual(readFileSync(join(exported, name)), readFileSync(join(generated, name)), name);
  }
});

test('bad input: one clear line naming file and line, non-zero exit, database unchanged', () => {
  const dir = tempDir();
  const good = join(dir, 'good');
  const db = join(dir, 'lenslab.db');
  lenslab(
    'generate',
    '--users',
    '30',
    '--movies',
    '100',
    '--ratings',
    '900',
    '--seed',
    '1',
    '--out',
    good,
  );
  assert.equal(lenslab('--db', db, 'import', '--format', 'ml-1m', good).code, 0);
  const before = countRatings(db);

  const bad = join(dir, 'bad');
  lenslab(
    'generate',
    '--users',
    '30',
    '--movies',
    '100',
    '--ratings',
    '900',
    '--seed',
    '2',
    '--out',
    bad,
  );
  const ratings = readFileSync(join(bad, 'ratings.dat'), 'latin1').split('\n');
  ratings[41] = ratings[41].replace(/::(\d)::/, '::7::');
  writeFileSync(join(bad, 'ratings.dat'), ratings.join('\n'), 'latin1');

  const cases: Array<[string[], RegExp]> = [
    [
      ['import', '--format', 'ml-1m', '--replace', bad],
      /^lenslab: ratings\.dat:42: rating "7" is outside 1–5\n$/,
    ],
    [['import', '--format', 'ml-9m', '--replace', good], /^lenslab: .*unknown format "ml-9m"/],
    [
      ['import', '--format', 'ml-1m', '--replace', join(dir, 'missing')],
      /^lenslab: missing: folder not found\n$/,
    ],
    [
      ['import', '--format', 'ml-1m', good],
      /^lenslab: the database already holds .* choose --replace .* or --merge/,
    ],
    [
      ['import', '--format', 'ml-1m', '--replace', '--merge', good],
      /^lenslab: choose either --replace or --merge/,
    ],
  ];
  for (const [args, message] of cases) {
    const result = lenslab('--db', db, ...args);
    assert.notEqual(result.code, 0, args.join(' '));
    assert.match(result.stderr, message, args.join(' '));
    assert.equal(countRatings(db), before, `database changed by ${args.join(' ')}`);
  }
  rmSync(dir, { recursive: true, force: true });
});

test('generate refuses impossible options with the option named', () => {
  const result = lenslab('generate', '--users', 'ten', '--out', tempDir());
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^lenslab: --users must be a whole number ≥ 1, got "ten"\n$/);
});
