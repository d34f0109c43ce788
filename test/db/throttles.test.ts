import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Db } from '../../src/db/connection.ts';
import { registerMember } from '../../src/services/accounts.ts';
import { FAILURE_WINDOW_MS, failureDelayMs, logIn } from '../../src/services/login.ts';
import { Throttles } from '../../src/services/throttles.ts';
import { Vault } from '../../src/services/vault.ts';
import { testDatabases } from '../helpers/databases.ts';

const HOUR = 3_600_000;

test('failure delays: 3 free, then 1 s, 2 s, 4 s … capped at 15 minutes', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map(failureDelayMs), [0, 0, 0, 1000, 2000, 4000, 8000]);
  assert.equal(failureDelayMs(40), 15 * 60_000);
});

for (const database of testDatabases) {
  describe(`throttles (${database.name})`, { skip: database.skip }, () => {
    let db: Db;
    before(async () => {
      db = await database.open();
    });
    after(async () => database.cleanup(db));

    test('counts hits per key in a window that restarts after it ends; concurrent hits all count', async () => {
      const throttles = new Throttles(db);
      const t0 = 1_000_000;
      assert.equal(await throttles.hit('s', 'a', HOUR, t0), 1);
      assert.equal(await throttles.hit('s', 'a', HOUR, t0 + 10), 2);
      assert.equal(await throttles.hit('s', 'b', HOUR, t0 + 10), 1, 'another key');
      assert.equal(await throttles.hit('other', 'a', HOUR, t0 + 10), 1, 'another scope');
      assert.deepEqual(await throttles.peek('s', 'a', HOUR, t0 + 20), { hits: 2, lastAt: t0 + 10 });
      // After the window: a new one.
      assert.equal((await throttles.peek('s', 'a', HOUR, t0 + HOUR)).hits, 0);
      assert.equal(await throttles.hit('s', 'a', HOUR, t0 + HOUR), 1);
      const counts = await Promise.all(
        Array.from({ length: 10 }, () => throttles.hit('s', 'c', HOUR, t0)),
      );
      assert.deepEqual(
        counts.sort((x, y) => x - y),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      );
      await throttles.clear('s', 'c');
      assert.equal((await throttles.peek('s', 'c', HOUR, t0)).hits, 0);
      await throttles.sweep(t0 + 2 * 24 * HOUR);
      assert.equal((await throttles.peek('s', 'a', HOUR, t0 + HOUR)).lastAt, null, 'swept');
    });

    test('login: a source that failed waits longer each time; the owner elsewhere never waits', async () => {
      const vault = new Vault({ secret: 'test secret: not for production use' });
      const throttles = new Throttles(db);
      const email = 'owner@example.org';
      const password = 'the right password';
      await registerMember(db, vault, { email, password });
      const attempt = (source: string, typed: string, now: number) =>
        logIn(db, vault, throttles, { email, password: typed, source }, now);
      const t0 = 5_000_000;
      for (let k = 0; k < 3; k++)
        assert.deepEqual(await attempt('10.0.0.1', 'wrong password!', t0 + k), { kind: 'wrong' });
      // Within a second of the third failure even the right password is not checked.
      assert.deepEqual(await attempt('10.0.0.1', password, t0 + 500), {
        kind: 'throttled',
        retryAfterSeconds: 1,
      });
      assert.equal((await attempt('10.0.0.2', password, t0 + 500)).kind, 'member');
      // After the delay the source may try again; its fourth failure doubles the wait.
      assert.deepEqual(await attempt('10.0.0.1', 'wrong password!', t0 + 1003), { kind: 'wrong' });
      assert.equal((await attempt('10.0.0.1', password, t0 + 2500)).kind, 'throttled');
      assert.equal((await attempt('10.0.0.1', password, t0 + 3004)).kind, 'member');
      // A success forgets the failures.
      assert.equal((await attempt('10.0.0.1', 'wrong password!', t0 + 3005)).kind, 'wrong');
      assert.equal((await attempt('10.0.0.1', password, t0 + 3006)).kind, 'member');
      // Failures are forgotten when their window ends.
      for (let k = 0; k < 5; k++) await attempt('10.0.0.3', 'wrong password!', t0 + k);
      assert.equal((await attempt('10.0.0.3', password, t0 + 10)).kind, 'throttled');
      assert.equal((await attempt('10.0.0.3', password, t0 + FAILURE_WINDOW_MS)).kind, 'member');
      // The table holds neither the address nor the IP address.
      const rows = await db.kysely.selectFrom('throttles').selectAll().execute();
      assert.ok(rows.length > 0);
      assert.ok(!JSON.stringify(rows).includes('example.org'));
      assert.ok(!JSON.stringify(rows).includes('10.0.0'));
    });
  });
}
