/**
 * Announcement sending benchmark (issue #15): mails per second from a send job into the outbox
 * folder (no SMTP) for N opted-in members with confirmed addresses, on SQLite. Each run sends a
 * new announcement to all of them at an unthrottled rate (the job's per-minute limit set far above
 * what the machine reaches), timed from `send` to the job's end; reports every run and the median.
 * Usage:
 *   npm run bench:announce [-- --members 10000 --runs 3 [--json]]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { migrateToLatest, openDatabase, type Db } from '../src/db/connection.ts';
import { AnnouncementJobs } from '../src/services/announcementJob.ts';
import { createAnnouncement, MAX_RATE_PER_MINUTE } from '../src/services/announcements.ts';
import { Mailer } from '../src/services/mail.ts';
import { grantRole } from '../src/services/roles.ts';
import { Vault } from '../src/services/vault.ts';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
  },
});
const memberCount = Number(values.members);
const runs = Number(values.runs);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Members 1..n with an identity (an encrypted address; one shared password hash, since hashing
 * 10,000 passwords with argon2 would take minutes and is not what is measured) and e-mail
 * updates on; member n + 1 is the admin who sends.
 */
async function seedMembers(db: Db, vault: Vault, n: number): Promise<number> {
  const now = Math.floor(Date.now() / 1000);
  const passwordHash = await vault.hashPassword('benchmark password');
  for (let start = 1; start <= n + 1; start += 500) {
    const ids = Array.from({ length: Math.min(500, n + 2 - start) }, (_, i) => start + i);
    await db.kysely.transaction().execute(async (trx) => {
      await trx
        .insertInto('users')
        .values(ids.map((id) => ({ id, created_at: now, origin: 'signup', research_consent: 0 })))
        .execute();
      await trx
        .insertInto('identities')
        .values(
          ids.map((id) => {
            const email = `member${id}@example.org`;
            return {
              user_id: id,
              email_ciphertext: vault.encrypt(email),
              email_blind_index: vault.blindIndex(email),
              password_hash: passwordHash,
              created_at: now,
              updated_at: now,
            };
          }),
        )
        .execute();
      await trx
        .insertInto('privacy_settings')
        .values(
          ids.map((id) => ({
            user_id: id,
            username: null,
            ratings_visibility: 'private',
            email_updates: id <= n ? 1 : 0,
            unsubscribe_token: randomBytes(18).toString('base64url'),
            updated_at: now,
          })),
        )
        .execute();
    });
  }
  await grantRole(db, n + 1, 'admin');
  return n + 1;
}

const dir = mkdtempSync(join(tmpdir(), 'lenslab-bench-announce-'));
try {
  const db = await openDatabase(join(dir, 'bench.db'));
  await migrateToLatest(db);
  const vault = new Vault({ secret: 'benchmark secret, not for production' });
  const adminId = await seedMembers(db, vault, memberCount);
  const results: Array<{ run: number; mails: number; seconds: number; mailsPerSecond: number }> =
    [];
  for (let run = 1; run <= runs; run++) {
    const outbox = join(dir, `outbox-${run}`);
    const jobs = new AnnouncementJobs({
      db,
      vault,
      mailer: new Mailer({ outboxDir: outbox, smtpUrl: '' }),
      publicUrl: () => 'https://lenslab.example.org',
      log: () => {},
    });
    const { id } = await createAnnouncement(db, adminId, {
      subject: `Benchmark announcement ${run}`,
      body: 'Hello!\n\nWe have **new features**: see [the site](https://lenslab.example.org/).',
      ratePerMinute: MAX_RATE_PER_MINUTE,
    });
    const started = performance.now();
    await jobs.send(adminId, id);
    await jobs.idle();
    const seconds = (performance.now() - started) / 1000;
    const mails = readdirSync(outbox).length;
    if (mails !== memberCount)
      throw new Error(`run ${run}: ${mails} mails, expected ${memberCount}`);
    results.push({ run, mails, seconds, mailsPerSecond: mails / seconds });
    if (!values.json)
      console.log(
        `run ${run}: ${mails} mails in ${seconds.toFixed(2)} s = ${(mails / seconds).toFixed(0)} mails/s`,
      );
  }
  const summary = {
    members: memberCount,
    runs: results,
    medianMailsPerSecond: median(results.map((r) => r.mailsPerSecond)),
    loadAverage: loadavg(),
    node: process.version,
  };
  if (values.json) console.log(JSON.stringify(summary));
  else
    console.log(
      `median: ${summary.medianMailsPerSecond.toFixed(0)} mails/s into the outbox for ${memberCount} opted-in members (load average ${summary.loadAverage.map((l) => l.toFixed(2)).join(', ')})`,
    );
  await db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
