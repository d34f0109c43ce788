import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { before, test } from 'node:test';
import { buildServer } from '../../src/http/server.ts';
import { grantRole } from '../../src/services/roles.ts';
import { tempDir } from '../helpers/files.ts';
import {
  Client,
  PASSWORD,
  decodeMail,
  describeApi,
  member,
  outboxMessages,
  type Api,
} from './harness.ts';

type Member = Awaited<ReturnType<typeof member>>;
const ADMIN_URL = '/api/console/admin/announcements';

/** The decoded mails of the outbox whose subject is `subject`. */
function mailsWithSubject(api: Api, subject: string): string[] {
  return outboxMessages(api)
    .map(decodeMail)
    .filter((mail) => new RegExp(`^Subject: ${subject}$`, 'm').test(mail));
}

const recipientsOf = (mails: string[]) => mails.map((mail) => /^To: (.+)$/m.exec(mail)![1]).sort();

const lines: string[] = [];
const logStream = new Writable({
  write(chunk, _encoding, done) {
    lines.push(String(chunk));
    done();
  },
});

describeApi(
  'announcements',
  (api) => {
    let admin: Member;
    let researcher: Member;
    let optedIn: Member[];
    let optedOut: Member;

    before(async () => {
      admin = await member(api);
      researcher = await member(api);
      await grantRole(api.db, admin.id, 'admin');
      await grantRole(api.db, researcher.id, 'researcher');
      optedIn = [await member(api), await member(api), await member(api)];
      for (const { client } of optedIn)
        await client.request('PATCH', '/api/me/privacy', { emailUpdates: true });
      optedOut = await member(api);
    });

    async function draft(subject: string, ratePerMinute = 6000) {
      const created = await admin.client.request('POST', ADMIN_URL, {
        subject,
        body: `Hello!\n\nWe have **new features**: see [the site](https://lenslab.example.org/).`,
        ratePerMinute,
      });
      assert.equal(created.status, 201, created.body);
      return created.json as { id: number; status: string };
    }

    test('only admins write and send: visitor 401, member and researcher 403, nothing changed', async () => {
      const { id } = await draft('Guarded news');
      const visitor = new Client(api.app);
      for (const client of [visitor, optedOut.client, researcher.client]) {
        const expected = client === visitor ? 401 : 403;
        assert.equal((await client.get(ADMIN_URL)).status, expected);
        assert.equal(
          (await client.request('POST', ADMIN_URL, { subject: 's', body: 'b' })).status,
          expected,
        );
        assert.equal((await client.get(`${ADMIN_URL}/${id}/preview`)).status, expected);
        assert.equal((await client.request('POST', `${ADMIN_URL}/${id}/send`)).status, expected);
      }
      const list = (await admin.client.get(ADMIN_URL)).json as {
        items: Array<{ id: number; status: string }>;
      };
      assert.equal(list.items.find((item) => item.id === id)?.status, 'draft');
      assert.equal(mailsWithSubject(api, 'Guarded news').length, 0);
    });

    test('a bad draft is refused naming the field', async () => {
      const response = await admin.client.request('POST', ADMIN_URL, {
        subject: '  ',
        body: 'text',
      });
      assert.equal(response.status, 400);
      assert.deepEqual(
        (response.json as { errors: Array<{ path: string }> }).errors.map((e) => e.path),
        ['subject'],
      );
      const rate = await admin.client.request('POST', ADMIN_URL, {
        subject: 'x',
        body: 'y',
        ratePerMinute: 0,
      });
      assert.equal(rate.status, 400);
    });

    test('an announcement reaches the opted-in members only, once, through the outbox, with the unsubscribe link', async () => {
      const { id } = await draft('New features in lenslab');
      const preview = await admin.client.get(`${ADMIN_URL}/${id}/preview`);
      assert.equal(preview.status, 200);
      const shown = preview.json as { recipients: number; html: string; text: string };
      assert.equal(shown.recipients, optedIn.length);
      assert.match(shown.html, /<strong>new features<\/strong>/);
      assert.doesNotMatch(JSON.stringify(preview.json), /@example\.org/);

      const sent = await admin.client.request('POST', `${ADMIN_URL}/${id}/send`);
      assert.equal(sent.status, 202, sent.body);
      await api.app.services.announcements.idle();
      const mails = mailsWithSubject(api, 'New features in lenslab');
      assert.deepEqual(recipientsOf(mails), optedIn.map((m) => m.email.toLowerCase()).sort());
      for (const mail of mails) {
        assert.match(mail, /^List-Unsubscribe: <http[^>]+\/api\/unsubscribe\?token=[^>]+>$/m);
        assert.match(mail, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
        assert.match(mail, /text\/html/);
      }
      const again = await admin.client.request('POST', `${ADMIN_URL}/${id}/send`);
      assert.equal(again.status, 409);
      await api.app.services.announcements.idle();
      assert.equal(mailsWithSubject(api, 'New features in lenslab').length, optedIn.length);

      const list = await admin.client.get(ADMIN_URL);
      const item = (list.json as { items: Array<Record<string, unknown>> }).items.find(
        (entry) => entry.id === id,
      )!;
      assert.equal(item.status, 'sent');
      assert.equal(item.sent, optedIn.length);
      assert.equal(item.progress, 1);

      // Who sent what to how many is audited; no answer, audit entry or log line names a recipient.
      const audit = await admin.client.get('/api/console/admin/audit');
      const entry = (
        audit.json as {
          items: Array<{ action: string; actorId: number; detail: Record<string, unknown> }>;
        }
      ).items.find((e) => e.action === 'announcement_sent' && e.detail.announcement === id);
      assert.deepEqual(entry?.detail, {
        announcement: id,
        subject: 'New features in lenslab',
        recipients: 3,
      });
      assert.equal(entry?.actorId, admin.id);
      for (const text of [list.body, audit.body, lines.join('\n')])
        for (const { email } of [...optedIn, optedOut, admin])
          assert.equal(text.toLowerCase().includes(email.toLowerCase()), false);
      assert.ok(lines.some((line) => /announcement \d+ sent to 3 members/.test(line)));

      // Members read it on the site; their data export says it was mailed to them.
      const published = await new Client(api.app).get('/api/announcements');
      const shownItem = (
        published.json as { items: Array<{ id: number; html: string }> }
      ).items.find((a) => a.id === id);
      assert.match(shownItem!.html, /<strong>new features<\/strong>/);
      const exported = (await optedIn[0].client.get('/api/me/export')).json as {
        announcements: Array<{ announcementId: number }>;
      };
      assert.deepEqual(
        exported.announcements.map((a) => a.announcementId),
        [id],
      );
      const notMailed = (await optedOut.client.get('/api/me/export')).json as {
        announcements: unknown[];
      };
      assert.deepEqual(notMailed.announcements, []);
    });

    test('after a restart the send job resumes and mails nobody twice; an unsubscribed member gets nothing more', async () => {
      // One member unsubscribes with the link of the earlier mail.
      const [leaving, ...staying] = optedIn;
      const earlier = mailsWithSubject(api, 'New features in lenslab').find((mail) =>
        mail.includes(`To: ${leaving.email.toLowerCase()}`),
      )!;
      const token = /unsubscribe\?token=([\w-]+)/.exec(earlier)![1];
      assert.equal(
        (await new Client(api.app).request('POST', `/api/unsubscribe?token=${token}`)).status,
        200,
      );
      const extra = [await member(api), await member(api)];
      for (const { client } of extra)
        await client.request('PATCH', '/api/me/privacy', { emailUpdates: true });
      const expected = [...staying, ...extra].map((m) => m.email.toLowerCase()).sort();

      // One mail a second, so the first server is stopped in the middle.
      const { id } = await draft('Resumed news', 60);
      const options = {
        db: api.db,
        vaultOptions: { secret: 'test secret: not for production use' },
        mailerOptions: { outboxDir: api.outbox, smtpUrl: '' },
        recommender: api.app.services.recommender,
        log: (message: string) => lines.push(message),
      };
      const first = await buildServer({
        ...options,
        recommenderOptions: { modelsDir: tempDir('m-') },
      });
      await first.ready();
      await first.services.announcements.send(admin.id, id);
      const sentSoFar = async () =>
        Number(
          (
            await api.db.kysely
              .selectFrom('announcement_deliveries')
              .select((eb) => eb.fn.countAll().as('n'))
              .where('announcement_id', '=', id)
              .executeTakeFirstOrThrow()
          ).n,
        );
      while ((await sentSoFar()) === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      await first.close();
      const stopped = await admin.client.get(ADMIN_URL);
      const halfway = (
        stopped.json as { items: Array<{ id: number; status: string; sent: number }> }
      ).items.find((a) => a.id === id)!;
      assert.equal(halfway.status, 'sending');
      assert.ok(halfway.sent >= 1 && halfway.sent < expected.length, `sent ${halfway.sent}`);

      const second = await buildServer({
        ...options,
        recommenderOptions: { modelsDir: tempDir('m-') },
      });
      await second.ready();
      await second.services.announcements.idle();
      await second.close();
      const mails = mailsWithSubject(api, 'Resumed news');
      assert.deepEqual(recipientsOf(mails), expected);
      assert.equal(await sentSoFar(), expected.length);
      const done = (await admin.client.get(ADMIN_URL)).json as {
        items: Array<{ id: number; status: string; sent: number }>;
      };
      assert.deepEqual(
        done.items.filter((a) => a.id === id).map((a) => [a.status, a.sent]),
        [['sent', expected.length]],
      );
    });

    test('deleting an account removes the record of the announcements mailed to it', async () => {
      const leaving = optedIn[1];
      const count = async () =>
        (
          await api.db.kysely
            .selectFrom('announcement_deliveries')
            .select('user_id')
            .where('user_id', '=', leaving.id)
            .execute()
        ).length;
      assert.ok((await count()) > 0);
      const deleted = await leaving.client.request('DELETE', '/api/me', { password: PASSWORD });
      assert.equal(deleted.status, 204);
      assert.equal(await count(), 0);
    });
  },
  { log: (message) => lines.push(message), logger: { level: 'info', stream: logStream } },
);
