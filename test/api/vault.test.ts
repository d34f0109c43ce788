import assert from 'node:assert/strict';
import { mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { generateSynthetic } from '../../src/datasets/synthetic.ts';
import { buildServer } from '../../src/http/server.ts';
import { uiNeedsBuild } from '../../src/http/ui.ts';
import { importDataset } from '../../src/services/datasets.ts';
import { Vault } from '../../src/services/vault.ts';
import {
  ClaimedRegistration,
  SIGNUP_PASSWORD_TRIES,
  claimPendingRegistration,
  confirmEmailChange,
  createEmailChange,
  createPendingRegistration,
  createVerifiedIdentity,
  deleteExpiredLinks,
  deleteExpiredRegistrations,
  matchesPendingRegistration,
  renewPendingRegistration,
} from '../../src/services/vaultLinks.ts';
import { testDatabases, withFreshDatabase } from '../helpers/databases.ts';
import { addMembers } from '../research/helpers.ts';
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

describe('pending sign-ups in the vault', () => {
  for (const database of testDatabases) {
    test(
      `a sign-up is stored sealed, claimed once, and becomes a verified identity (${database.name})`,
      {
        skip: database.skip,
      },
      async () => {
        await withFreshDatabase(database, async (db) => {
          const vault = new Vault({ secret: 'one secret for the test vault' });
          const now = 1_000_000;
          const options = { researchConsent: true, now, expiresAt: now + 100 };
          const fresh = await createPendingRegistration(
            vault,
            db,
            'New@Example.org',
            'password one 1',
            options,
          );
          assert.equal(fresh.kind, 'new');
          const row = await db.kysely
            .selectFrom('pending_registrations')
            .selectAll()
            .executeTakeFirstOrThrow();
          assert.ok(!JSON.stringify(row).toLowerCase().includes('new@example.org'));
          assert.match(row.password_hash, /^\$argon2id\$/);
          assert.equal(vault.decrypt(row.email_ciphertext!), 'new@example.org');
          assert.equal(
            await matchesPendingRegistration(vault, db, 'new@example.org', 'password one 1', now),
            true,
          );
          assert.equal(
            await matchesPendingRegistration(vault, db, 'new@example.org', 'password two 2', now),
            false,
          );
          assert.equal(
            await matchesPendingRegistration(
              vault,
              db,
              'new@example.org',
              'password one 1',
              now + 100,
            ),
            false,
            'an expired sign-up is ignored',
          );

          const token = fresh.kind === 'new' ? fresh.token : '';
          assert.deepEqual(
            await claimPendingRegistration(vault, db, token, 'password one 1', now + 100),
            { kind: 'unknown' },
            'expired',
          );
          assert.deepEqual(
            await claimPendingRegistration(vault, db, token, 'password two 2', now),
            { kind: 'wrong-password', triesLeft: SIGNUP_PASSWORD_TRIES - 1 },
            'a wrong password leaves the link working',
          );
          const claimed = await claimPendingRegistration(vault, db, token, 'password one 1', now);
          assert.equal(claimed.kind, 'claimed');
          const claim = claimed.kind === 'claimed' ? claimed.claim : new ClaimedRegistration(false);
          assert.equal(claim.researchConsent, true);
          assert.deepEqual(Object.keys(claim), ['researchConsent'], 'the claim shows nothing else');
          assert.deepEqual(
            await claimPendingRegistration(vault, db, token, 'password one 1', now),
            { kind: 'unknown' },
            'single use',
          );

          await addMembers(db, [77], now);
          await assert.rejects(
            createVerifiedIdentity(vault, db, 77, new ClaimedRegistration(false), now),
            /not a claim made by the vault/,
          );
          assert.equal(await createVerifiedIdentity(vault, db, 77, claim, now), true);
          assert.equal(await vault.findMember(db, 'new@example.org'), 77);
          assert.equal(await vault.authenticate(db, 'new@example.org', 'password one 1'), 77);

          const again = await createPendingRegistration(
            vault,
            db,
            'new@example.org',
            'password two 2',
            options,
          );
          assert.deepEqual(again, { kind: 'registered', userId: 77 });
          const attempt = await db.kysely
            .selectFrom('pending_registrations')
            .selectAll()
            .executeTakeFirstOrThrow();
          assert.equal(
            attempt.email_ciphertext,
            null,
            'an attempt on a registered address keeps no e-mail',
          );
          assert.equal(
            await matchesPendingRegistration(vault, db, 'new@example.org', 'password two 2', now),
            true,
            'it answers a login like any pending sign-up',
          );
          assert.equal(
            await renewPendingRegistration(vault, db, 'new@example.org', now + 200, now),
            null,
          );
          assert.equal(await deleteExpiredRegistrations(db, now + 100), 1);
        });
      },
    );

    test(
      `a sign-up link dies after ${SIGNUP_PASSWORD_TRIES} wrong passwords, even typed at once (${database.name})`,
      { skip: database.skip },
      async () => {
        await withFreshDatabase(database, async (db) => {
          const vault = new Vault({ secret: 'one secret for the test vault' });
          const now = 1_000_000;
          const fresh = await createPendingRegistration(
            vault,
            db,
            'guess@example.org',
            'the real password',
            { researchConsent: false, now, expiresAt: now + 100 },
          );
          const token = fresh.kind === 'new' ? fresh.token : '';
          const guesses = await Promise.all(
            Array.from({ length: SIGNUP_PASSWORD_TRIES + 3 }, (_, k) =>
              claimPendingRegistration(vault, db, token, `wrong guess ${k}xx`, now),
            ),
          );
          const wrong = guesses.filter((g) => g.kind === 'wrong-password');
          assert.equal(wrong.length, SIGNUP_PASSWORD_TRIES, 'only so many passwords are checked');
          assert.equal(guesses.filter((g) => g.kind === 'unknown').length, 3);
          assert.deepEqual(
            await claimPendingRegistration(vault, db, token, 'the real password', now),
            { kind: 'unknown' },
            'the right password comes too late',
          );
          const rows = await db.kysely.selectFrom('pending_registrations').selectAll().execute();
          assert.equal(rows.length, 0, 'the spent sign-up is deleted');
        });
      },
    );

    test(
      `a change of address is stored sealed, switches the address once, and expires (${database.name})`,
      { skip: database.skip },
      async () => {
        await withFreshDatabase(database, async (db) => {
          const vault = new Vault({ secret: 'one secret for the test vault' });
          const now = 1_000_000;
          await addMembers(db, [41, 42], now);
          assert.equal(
            await vault.createIdentity(db, 41, 'old@example.org', 'password 41 41'),
            true,
          );
          assert.equal(
            await vault.createIdentity(db, 42, 'other@example.org', 'password 42 42'),
            true,
          );
          const options = { now, expiresAt: now + 100 };

          const taken = await createEmailChange(vault, db, 41, 'Other@example.org', options);
          assert.deepEqual(taken, { kind: 'registered', userId: 42 });
          const first = await createEmailChange(vault, db, 41, 'New@Example.org', options);
          const second = await createEmailChange(vault, db, 41, 'new@example.org', options);
          assert.ok(first.kind === 'new' && second.kind === 'new');
          const rows = await db.kysely.selectFrom('email_changes').selectAll().execute();
          assert.equal(rows.length, 1, "a new request replaces the member's earlier ones");
          assert.ok(!JSON.stringify(rows).toLowerCase().includes('new@example.org'));
          assert.equal(vault.decrypt(rows[0].email_ciphertext!), 'new@example.org');
          assert.equal(await confirmEmailChange(vault, db, first.token, now), null, 'replaced');
          assert.equal(
            await confirmEmailChange(vault, db, second.token, now + 100),
            null,
            'expired',
          );
          assert.equal(await vault.emailOf(db, 41), 'old@example.org', 'nothing changed yet');
          assert.deepEqual(await confirmEmailChange(vault, db, second.token, now), {
            userId: 41,
            previousEmail: 'old@example.org',
          });
          assert.equal(await vault.emailOf(db, 41), 'new@example.org');
          assert.equal(await vault.authenticate(db, 'new@example.org', 'password 41 41'), 41);
          assert.equal(await vault.findMember(db, 'old@example.org'), null);
          assert.equal(await confirmEmailChange(vault, db, second.token, now), null, 'single use');

          // A link whose address got an account meanwhile changes nothing.
          const late = await createEmailChange(vault, db, 42, 'late@example.org', options);
          assert.equal(late.kind, 'new');
          await db.kysely.deleteFrom('identities').where('user_id', '=', 41).execute();
          assert.equal(
            await vault.createIdentity(db, 41, 'late@example.org', 'password 41 41'),
            true,
          );
          assert.equal(
            await confirmEmailChange(vault, db, late.kind === 'new' ? late.token : '', now),
            null,
          );
          assert.equal(await vault.emailOf(db, 42), 'other@example.org');

          await createEmailChange(vault, db, 42, 'sweep@example.org', options);
          await createPendingRegistration(vault, db, 'sweep2@example.org', 'password sweep 2', {
            researchConsent: false,
            now,
            expiresAt: now + 50,
          });
          assert.equal(await deleteExpiredLinks(db, now + 99), 1, 'only the sign-up expired');
          assert.equal(await deleteExpiredLinks(db, now + 100), 1);
          assert.equal(
            (await db.kysely.selectFrom('email_changes').selectAll().execute()).length,
            0,
          );
        });
      },
    );
  }
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
