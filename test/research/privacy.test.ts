import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Db } from '../../src/db/connection.ts';
import { lookupMemberIdentity } from '../../src/services/accessAudit.ts';
import {
  EventLog,
  exportEvents,
  newVisitorId,
  type ResearchEvent,
} from '../../src/services/events.ts';
import { Experiments } from '../../src/services/experiments.ts';
import { grantRole } from '../../src/services/roles.ts';
import { Vault } from '../../src/services/vault.ts';
import { testDatabases } from '../helpers/databases.ts';
import { TextSink, addMembers } from './helpers.ts';

const MEMBERS = [
  { id: 301, email: 'Alice.Liddell@Example.org', password: 'through the looking glass' },
  { id: 302, email: 'bob.tables@example.net', password: "Robert'); DROP TABLE--" },
  { id: 303, email: 'carol+movies@example.com', password: 'correct horse battery staple' },
];
const RESEARCH_TABLES = [
  'events',
  'experiments',
  'experiment_variants',
  'experiment_assignments',
  'user_roles',
  'access_audit_log',
] as const;

for (const target of testDatabases) {
  describe(
    `no e-mail or password in research tables or exports on ${target.name}`,
    { skip: target.skip },
    () => {
      let db: Db;
      const vault = new Vault({ secret: 'another test secret, long enough' });
      before(async () => {
        db = await target.open();
        await addMembers(
          db,
          MEMBERS.map((m) => m.id),
        );
        for (const member of MEMBERS) {
          assert.equal(
            await vault.createIdentity(db, member.id, member.email, member.password),
            true,
          );
        }
      });
      after(async () => {
        if (db) await target.cleanup(db);
      });

      test('a session of normal and careless use leaves no identity behind', async () => {
        await grantRole(db, 303, 'admin');
        const experiments = new Experiments(db);
        await experiments.create({
          name: 'stars-shown',
          hypothesis: 'Showing predicted stars leads to more ratings',
          population: 'all',
          variants: [
            { name: 'shown', weight: 1 },
            { name: 'hidden', weight: 1 },
          ],
          stopsAt: new Date(Date.now() + 86_400_000).toISOString(),
        });
        await experiments.start('stars-shown');
        const log = new EventLog(db, { flushIntervalMs: 3_600_000 });
        for (const member of MEMBERS) {
          const variant = await experiments.variantFor('stars-shown', member.id);
          const visitorId = newVisitorId();
          const events: ResearchEvent[] = [
            { kind: 'page', visitorId, route: `/login?email=${encodeURIComponent(member.email)}` },
            // A careless caller passes the whole login form along.
            {
              kind: 'login_failed',
              visitorId,
              ...({ email: member.email, password: member.password } as object),
            },
            // A forged visitor cookie holding the e-mail.
            { kind: 'page', visitorId: member.email, route: '/' },
            { kind: 'login', memberId: member.id, ...({ email: member.email } as object) },
            {
              kind: 'search',
              memberId: member.id,
              query: `${member.email} ${member.email.toUpperCase()}`,
              resultCount: 0,
            },
            {
              kind: 'search',
              memberId: member.id,
              query: `movies for ${member.email.split('@')[0]}@${member.email.split('@')[1]}`,
              resultCount: 0,
            },
            {
              kind: 'predictions_shown',
              memberId: member.id,
              context: 'recommendations',
              movieIds: [1, 2],
              predictedRatings: [4, 3],
              modelId: 'bias',
              modelVersion: 1,
              experiment: 'stars-shown',
              variant,
            },
            { kind: 'recommendation_click', memberId: member.id, movieId: 1 },
            { kind: 'rating', memberId: member.id, movieId: 1, rating: 4, previousRating: null },
          ];
          for (const event of events) log.record(event);
        }
        await log.close();
        assert.equal(log.stats.written, MEMBERS.length * 9);
        await lookupMemberIdentity(db, vault, {
          adminId: 303,
          memberId: 301,
          reason: 'Abuse report about a board post',
        });

        // Everything the research side stores or exports, as text.
        let everything = '';
        for (const table of RESEARCH_TABLES) {
          const rows = await db.kysely.selectFrom(table).selectAll().execute();
          assert.ok(rows.length > 0, `${table} has rows to scan`);
          everything += JSON.stringify(rows);
        }
        for (const format of ['csv', 'jsonl'] as const) {
          const sink = new TextSink();
          assert.equal(await exportEvents(db, format, sink), MEMBERS.length * 9);
          everything += sink.text;
        }
        const identities = await db.kysely.selectFrom('identities').selectAll().execute();
        const secrets = [
          ...MEMBERS.flatMap((m) => [
            m.email,
            m.email.toLowerCase(),
            m.password,
            m.email.split('@')[1],
          ]),
          ...identities.flatMap((row) => [
            row.email_ciphertext,
            row.email_blind_index,
            row.password_hash,
          ]),
          '$argon2',
        ];
        const haystack = everything.toLowerCase();
        for (const secret of secrets) {
          assert.equal(
            haystack.includes(secret.toLowerCase()),
            false,
            `found "${secret}" in research data`,
          );
        }
        assert.equal(everything.includes('@'), false, 'no e-mail address of any kind');
      });
    },
  );
}
