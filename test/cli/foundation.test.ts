import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
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

/** A temporary folder with a generated ML-1M dataset (`good`) imported into `db`. */
function importedDatabase() {
  const dir = tempDir();
  const good = join(dir, 'good');
  const db = join(dir, 'lenslab.db');
  const options = ['--users', '30', '--movies', '100', '--ratings', '900', '--seed', '1'];
  assert.equal(lenslab('generate', ...options, '--out', good).code, 0);
  assert.equal(lenslab('--db', db, 'import', '--format', 'ml-1m', good).code, 0);
  return { dir, good, db };
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
  const { dir, good, db } = importedDatabase();
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
      /^lenslab: ratings\.dat:42: rating "7" is outside 0\.5–5 in steps of 0\.5\n$/,
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

/** A copy of a generated ML-1M folder with one file changed. */
function damaged(good: string, out: string, file: string, change: (text: string) => string) {
  mkdirSync(out);
  for (const name of ['ratings.dat', 'users.dat', 'movies.dat'])
    copyFileSync(join(good, name), join(out, name));
  writeFileSync(join(out, file), change(readFileSync(join(good, file), 'latin1')), 'latin1');
  return out;
}

test('damaged files are refused in one line, even under --replace, and change nothing', () => {
  const { dir, good, db } = importedDatabase();
  const before = countRatings(db);
  const cases: Array<[string, (text: string) => string, RegExp]> = [
    ['ratings.dat', () => '', /^lenslab: ratings\.dat: no ratings\n$/],
    [
      'ratings.dat',
      (text) => text.replace(/^(\d+)::\d+::/, '$1::99999::'),
      /^lenslab: ratings\.dat:1: movie 99999 is not in movies\.dat\n$/,
    ],
    [
      'ratings.dat',
      (text) => text.slice(0, -4),
      /^lenslab: ratings\.dat:900: the last line is cut short \(no newline at the end of the file\)\n$/,
    ],
    [
      'movies.dat',
      (text) => text.replace('::', '::\0'),
      /^lenslab: movies\.dat:1: title contains a control character \(U\+0000\)\n$/,
    ],
  ];
  for (const [index, [file, change, message]] of cases.entries()) {
    const bad = damaged(good, join(dir, `bad${index}`), file, change);
    const result = lenslab('--db', db, 'import', '--format', 'ml-1m', '--replace', bad);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, message);
    assert.equal(countRatings(db), before, `database changed by ${message}`);
  }
  rmSync(dir, { recursive: true, force: true });
});

test('import --merge refuses dataset users who are web members, and changes nothing', () => {
  const { dir, good, db } = importedDatabase();
  // A member who signed up on the site, under a random id that a dataset happens to use.
  const member = 7_000_123;
  const sqlite = new SqliteDatabase(db);
  sqlite
    .prepare(
      `INSERT INTO users (id, created_at, origin, research_consent) VALUES (?, 1700000000, 'signup', 0)`,
    )
    .run(member);
  sqlite.prepare(`INSERT INTO ratings VALUES (?, 1, 4, 1700000000)`).run(member);
  const memberRows = () => ({
    user: sqlite.prepare('SELECT * FROM users WHERE id = ?').get(member),
    ratings: sqlite.prepare('SELECT * FROM ratings WHERE user_id = ?').all(member),
  });
  const before = memberRows();
  const merged = damaged(good, join(dir, 'merged'), 'users.dat', (text) =>
    text.replace(/^1::/m, `${member}::`),
  );
  writeFileSync(
    join(merged, 'ratings.dat'),
    readFileSync(join(good, 'ratings.dat'), 'latin1').replace(/^1::/gm, `${member}::`),
    'latin1',
  );
  const result = lenslab('--db', db, 'import', '--format', 'ml-1m', '--merge', merged);
  assert.equal(result.code, 1, result.stderr);
  assert.match(
    result.stderr,
    new RegExp(`^lenslab: --merge: users ${member} of the dataset are web members of this site; `),
  );
  assert.deepEqual(memberRows(), before);
  sqlite.close();
  assert.equal(countRatings(db), 901);
  rmSync(dir, { recursive: true, force: true });
});

test('ml-latest round-trips through import and export --format ml-latest; ml-1m says to use it', () => {
  const dir = tempDir();
  const source = join(dir, 'source');
  mkdirSync(source);
  const files = {
    'movies.csv':
      'movieId,title,genres\n1,Amélie (2001),Comedy|Romance\n2,"Bad, Good and Ugly, The (1966)",Western\n3,"""Great Performances"" Cats (1998)",Musical\n4,Ghost in the Shell – 攻殻機動隊,(no genres listed)\n',
    'ratings.csv':
      'userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,2,0.5,964981247\n1,3,3.5,964982224\n2,4,2.5,1445715340\n',
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(join(source, name), content);
  const db = join(dir, 'first.db');
  assert.equal(lenslab('--db', db, 'import', '--format', 'ml-latest', source).code, 0);
  const exported = join(dir, 'exported');
  const result = lenslab('--db', db, 'export', '--format', 'ml-latest', '--out', exported);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(readdirSync(exported).sort(), Object.keys(files));
  for (const name of Object.keys(files))
    assert.deepEqual(readFileSync(join(exported, name)), readFileSync(join(source, name)), name);

  const again = join(dir, 'again.db');
  assert.equal(lenslab('--db', again, 'import', '--format', 'ml-latest', exported).code, 0);
  const reexported = join(dir, 'reexported');
  assert.equal(
    lenslab('--db', again, 'export', '--format', 'ml-latest', '--out', reexported).code,
    0,
  );
  for (const name of Object.keys(files))
    assert.deepEqual(readFileSync(join(reexported, name)), readFileSync(join(source, name)), name);

  const ml1m = lenslab('--db', db, 'export', '--format', 'ml-1m', '--out', join(dir, 'ml1m'));
  assert.equal(ml1m.code, 1);
  assert.match(
    ml1m.stderr,
    /^lenslab: movies\.dat:4: "–" cannot be written in ISO-8859-1 \(use --format ml-latest\)\n$/,
  );
  assert.match(
    lenslab('--db', db, 'export', '--format', 'ml-2m', '--out', join(dir, 'x')).stderr,
    /^lenslab: --format: unknown format "ml-2m" \(expected ml-1m or ml-latest\)\n$/,
  );
  rmSync(dir, { recursive: true, force: true });
});

test('generate refuses impossible options with the option named', () => {
  const result = lenslab('generate', '--users', 'ten', '--out', tempDir());
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^lenslab: --users must be a whole number ≥ 1, got "ten"\n$/);
});

test("serve with a bad operator's policy stops in one line naming the file and the key", () => {
  const dir = tempDir();
  const policies = join(dir, 'policies');
  mkdirSync(policies);
  writeFileSync(join(policies, 'loose.yaml'), 'ratings:\n  swap: { sigma: 9 }\n');
  const result = spawnSync(
    LENSLAB,
    ['--db', join(dir, 'lenslab.db'), 'serve', '--no-demo', '--no-ui', '--port', '0'],
    {
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: '', LENSLAB_POLICIES_DIR: policies },
      cwd: dir,
      timeout: 60_000,
    },
  );
  assert.equal(result.status, 1, result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.equal(
    lines.at(-1),
    `lenslab: ${join(policies, 'loose.yaml')}: ratings.swap.sigma: Too big: expected number to be <=5`,
  );
  assert.ok(!/\n\s+at /.test(result.stderr), 'no stack trace');
  // Before anything is built: no database was opened.
  assert.doesNotMatch(result.stdout, /data lives in/);
  assert.ok(!existsSync(join(dir, 'lenslab.db')), 'the database was not created');
});
