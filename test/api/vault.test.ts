import assert from 'node:assert/strict';
import { mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { generateSynthetic } from '../../src/datasets/synthetic.ts';
import { buildServer } from '../../src/http/server.ts';
import { uiNeedsBuild } from '../../src/http/ui.ts';
import { importDataset } from '../../src/services/datasets.ts';
import { Vault } from '../../src/services/vault.ts';
import { testDatabases } from '../helpers/databases.ts';
import { tempDir } from '../helpers/files.ts';

describe('the vault', () => {
  test('creates its key file with 0600 permissions on first use and reuses it', () => {
    const keyFile = join(tempDir(), 'nested', 'secret.key');
    const first = new Vault({ keyFile });
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    const second = new Vault({ keyFile });
    const sealed = first.encrypt('someone@example.org');
    assert.equal(second.decrypt(sealed), 'someone@example.org');
    assert.equal(
      first.blindIndex('Someone@Example.org '),
      second.blindIndex('someone@example.org'),
    );
  });

  test('encryption is randomized and authenticated; keys differ by secret', () => {
    const vault = new Vault({ secret: 'one secret for the test vault' });
    const a = vault.encrypt('a@example.org');
    const b = vault.encrypt('a@example.org');
    assert.notEqual(a, b);
    const tampered = Buffer.from(a, 'base64');
    tampered[tampered.length - 1] ^= 1;
    assert.throws(() => vault.decrypt(tampered.toString('base64')));
    const other = new Vault({ secret: 'another secret for the vault' });
    assert.throws(() => other.decrypt(a));
    assert.notEqual(other.blindIndex('a@example.org'), vault.blindIndex('a@example.org'));
    assert.throws(() => new Vault({ secret: 'short' }), /16 characters/);
  });

  test('hashes passwords with argon2id and verifies them', async () => {
    const vault = new Vault({ secret: 'one secret for the test vault' });
    const hash = await vault.hashPassword('correct horse battery');
    assert.match(hash, /^\$argon2id\$/);
    assert.equal(await vault.verifyPassword(hash, 'correct horse battery'), true);
    assert.equal(await vault.verifyPassword(hash, 'wrong horse battery'), false);
    assert.equal(await vault.verifyPassword('not a hash', 'x'), false);
  });
});

describe('the web app build and SPA fallback', () => {
  test('uiNeedsBuild: missing or older build → true, fresh build → false', () => {
    const root = tempDir();
    mkdirSync(join(root, 'ui'));
    writeFileSync(join(root, 'ui', 'index.html'), '<!doctype html>');
    writeFileSync(join(root, 'vite.config.ts'), 'export default {}');
    assert.equal(uiNeedsBuild(root), true);
    mkdirSync(join(root, 'dist', 'ui'), { recursive: true });
    writeFileSync(join(root, 'dist', 'ui', 'index.html'), '<!doctype html>');
    const past = new Date(Date.now() - 60_000);
    for (const path of ['ui/index.html', 'ui', 'vite.config.ts'])
      utimesSync(join(root, path), past, past);
    assert.equal(uiNeedsBuild(root), false);
    const future = new Date(Date.now() + 60_000);
    utimesSync(join(root, 'ui', 'index.html'), future, future);
    assert.equal(uiNeedsBuild(root), true);
  });

  test('the built app is served for pages; /api stays JSON', async () => {
    const database = testDatabases[0];
    const db = await database.open();
    const uiDir = tempDir();
    writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>lenslab app</title>');
    writeFileSync(join(uiDir, 'app.js'), 'console.log(1)');
    try {
      await importDataset(
        db,
        generateSynthetic({ users: 20, movies: 50, ratings: 400, seed: 2 }),
        'empty',
      );
      const app = await buildServer({
        db,
        uiDir,
        vaultOptions: { secret: 'test secret: not for production use' },
        recommenderOptions: { modelsDir: tempDir(), watchIntervalMs: 0, algorithm: 'bias' },
      });
      try {
        for (const path of ['/', '/explore', '/movies/12', '/u/someone']) {
          const page = await app.inject({ url: path });
          assert.equal(page.statusCode, 200, path);
          assert.match(page.body, /lenslab app/);
          assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
        }
        assert.equal((await app.inject({ url: '/app.js' })).body, 'console.log(1)');
        const api = await app.inject({ url: '/api/missing' });
        assert.equal(api.statusCode, 404);
        assert.match(String(api.headers['content-type']), /problem\+json/);
      } finally {
        await app.close();
      }
    } finally {
      await database.cleanup(db);
    }
  });
});
