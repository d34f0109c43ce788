import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Db } from '../../src/db/connection.ts';
import {
  appendAuditEntry,
  lookupMemberIdentity,
  readAuditLog,
} from '../../src/services/accessAudit.ts';
import {
  grantRole,
  hasRole,
  listRoles,
  requireRole,
  revokeRole,
  rolesOf,
} from '../../src/services/roles.ts';
import { Vault } from '../../src/services/vault.ts';
import { testDatabases } from '../helpers/databases.ts';
import { addMembers, serviceError } from './helpers.ts';

const MEMBER = 11;
const RESEARCHER = 12;
const ADMIN = 13;
const TARGET = 14;

for (const target of testDatabases) {
  describe(`roles and access audit on ${target.name}`, { skip: target.skip }, () => {
    let db: Db;
    const vault = new Vault({ secret: 'a test secret that is long enough' });
    before(async () => {
      db = await target.open();
      await addMembers(db, [MEMBER, RESEARCHER, ADMIN, TARGET]);
      assert.equal(
        await vault.createIdentity(db, TARGET, 'target@example.org', 'correct horse battery'),
        true,
      );
      await grantRole(db, RESEARCHER, 'researcher');
      await grantRole(db, ADMIN, 'admin');
    });
    after(async () => {
      if (db) await target.cleanup(db);
    });

    test('roles: member is implicit, admin includes researcher', async () => {
      assert.deepEqual(await rolesOf(db, MEMBER), ['member']);
      assert.deepEqual(await rolesOf(db, RESEARCHER), ['member', 'researcher']);
      assert.deepEqual(await rolesOf(db, 999), []);
      assert.equal(await hasRole(db, MEMBER, 'researcher'), false);
      assert.equal(await hasRole(db, RESEARCHER, 'researcher'), true);
      assert.equal(await hasRole(db, RESEARCHER, 'admin'), false);
      assert.equal(await hasRole(db, ADMIN, 'researcher'), true);
      assert.equal(await hasRole(db, ADMIN, 'admin'), true);
    });

    test('requireRole: 401 without a member, 403 without the role', async () => {
      await assert.rejects(
        requireRole(db, null, 'researcher'),
        serviceError('unauthenticated', 'log in first'),
      );
      await assert.rejects(
        requireRole(db, MEMBER, 'researcher'),
        serviceError('forbidden', 'this needs the researcher role'),
      );
      await assert.rejects(
        requireRole(db, RESEARCHER, 'admin'),
        serviceError('forbidden', 'this needs the admin role'),
      );
      await requireRole(db, RESEARCHER, 'researcher');
      await requireRole(db, ADMIN, 'admin');
    });

    test('grant and revoke: checked, idempotent, audited', async () => {
      await assert.rejects(
        grantRole(db, MEMBER, 'owner'),
        serviceError('invalid', 'role: must be one of researcher, admin, got "owner"'),
      );
      await assert.rejects(
        grantRole(db, 999, 'researcher'),
        serviceError('invalid', 'member 999 does not exist'),
      );
      await assert.rejects(
        grantRole(db, MEMBER, 'researcher', { actorId: RESEARCHER }),
        serviceError('forbidden', 'only an admin can change roles'),
      );
      assert.equal(await grantRole(db, MEMBER, 'researcher', { actorId: ADMIN }), true);
      assert.equal(await grantRole(db, MEMBER, 'researcher', { actorId: ADMIN }), false);
      // Listing grants is an admin's (or the operator's, on the command line) like changing them.
      await assert.rejects(
        listRoles(db, { actorId: RESEARCHER }),
        serviceError('forbidden', 'only an admin can list roles'),
      );
      assert.deepEqual(await listRoles(db, { actorId: ADMIN }), await listRoles(db));
      const grant = (await listRoles(db)).find((g) => g.memberId === MEMBER);
      assert.equal(grant?.role, 'researcher');
      assert.equal(grant?.grantedBy, ADMIN);
      assert.equal(await revokeRole(db, MEMBER, 'researcher', { actorId: ADMIN }), true);
      assert.equal(await revokeRole(db, MEMBER, 'researcher'), false);
      assert.equal(await hasRole(db, MEMBER, 'researcher'), false);
      const log = await readAuditLog(db, ADMIN, { limit: 2 });
      assert.deepEqual(
        log.map((e) => [e.action, e.actorId, e.targetMemberId, e.detail]),
        [
          ['role_revoked', ADMIN, MEMBER, { role: 'researcher' }],
          ['role_granted', ADMIN, MEMBER, { role: 'researcher' }],
        ],
      );
    });

    test('identity lookup: admins only, with a reason, audited before the vault is asked', async () => {
      let vaultCalls = 0;
      const watchedVault = {
        emailOf: async (database: Db, memberId: number) => {
          vaultCalls++;
          const [latest] = await readAuditLog(database, null, { limit: 1 });
          assert.equal(
            latest.action,
            'identity_lookup',
            'the audit entry exists before the vault is asked',
          );
          assert.equal(latest.targetMemberId, memberId);
          return vault.emailOf(database, memberId);
        },
      };
      await assert.rejects(
        lookupMemberIdentity(db, watchedVault, {
          adminId: RESEARCHER,
          memberId: TARGET,
          reason: 'I am curious about this one',
        }),
        serviceError('forbidden', "only an admin can look up a member's identity"),
      );
      const [denied] = await readAuditLog(db, null, { limit: 1 });
      assert.deepEqual(
        [denied.action, denied.actorId, denied.targetMemberId],
        ['identity_lookup_denied', RESEARCHER, TARGET],
      );
      await assert.rejects(
        lookupMemberIdentity(db, watchedVault, { adminId: ADMIN, memberId: TARGET, reason: '  ' }),
        serviceError('invalid', /^reason: /),
      );
      await assert.rejects(
        lookupMemberIdentity(db, watchedVault, {
          adminId: undefined,
          memberId: TARGET,
          reason: 'x'.repeat(20),
        }),
        serviceError('unauthenticated'),
      );
      assert.equal(vaultCalls, 0);

      const found = await lookupMemberIdentity(db, watchedVault, {
        adminId: ADMIN,
        memberId: TARGET,
        reason: 'Court order 2026-17 asks who posted thread 42',
      });
      assert.equal(vaultCalls, 1);
      assert.equal(found.email, 'target@example.org');
      const [entry] = await readAuditLog(db, ADMIN, { limit: 1 });
      assert.equal(entry.id, found.auditEntryId);
      assert.equal(entry.reason, 'Court order 2026-17 asks who posted thread 42');
      assert.equal(
        JSON.stringify(entry).includes('target@example.org'),
        false,
        'the log never holds the answer',
      );
      const none = await lookupMemberIdentity(db, watchedVault, {
        adminId: ADMIN,
        memberId: MEMBER,
        reason: 'Imported member without an identity',
      });
      assert.equal(none.email, null);
    });

    test('only admins read the audit log', async () => {
      await assert.rejects(
        readAuditLog(db, RESEARCHER),
        serviceError('forbidden', 'only an admin can read the access-audit log'),
      );
      const entries = await readAuditLog(db, ADMIN);
      assert.ok(entries.length >= 4);
      for (let i = 1; i < entries.length; i++)
        assert.ok(entries[i - 1].id > entries[i].id, 'newest first');
    });

    test('the audit log cannot be edited or deleted, even with plain SQL', async () => {
      const id = await appendAuditEntry(db, {
        actorId: ADMIN,
        action: 'events_exported',
        detail: { rows: 1 },
      });
      const before = await db.kysely
        .selectFrom('access_audit_log')
        .selectAll()
        .orderBy('id')
        .execute();
      await assert.rejects(
        db.kysely
          .updateTable('access_audit_log')
          .set({ reason: 'rewritten' })
          .where('id', '=', id)
          .execute(),
        /append-only/,
      );
      await assert.rejects(
        db.kysely.deleteFrom('access_audit_log').where('id', '=', id).execute(),
        /append-only/,
      );
      await assert.rejects(sql`DELETE FROM access_audit_log`.execute(db.kysely), /append-only/);
      await assert.rejects(
        sql`UPDATE access_audit_log SET actor_id = NULL`.execute(db.kysely),
        /append-only/,
      );
      if (db.dialect === 'postgres') {
        await assert.rejects(sql`TRUNCATE access_audit_log`.execute(db.kysely), /append-only/);
      }
      const afterwards = await db.kysely
        .selectFrom('access_audit_log')
        .selectAll()
        .orderBy('id')
        .execute();
      assert.deepEqual(afterwards, before);
    });
  });
}
