/**
 * The send job of an announcement: one at a time, in the background (JobSlot, as the console's
 * releases), batch after batch at the announcement's rate per minute.
 *
 * - Resumable: the announcement stays 'sending' in the database until its last batch; a server
 *   that starts finds it and carries on (`resume`), mailing only members without a delivery row.
 * - Never twice: each member's delivery row is inserted (claimed) before the mail goes; a member
 *   whose row another process or an earlier run claimed is skipped. A crash between claim and
 *   send therefore loses that member's mail rather than sending it twice.
 * - The vault decrypts one batch's addresses inside the job; they live in its memory while the
 *   batch is sent and reach no log, table or answer. The log says how many, never to whom.
 * - Opting out (the unsubscribe link, the privacy page) takes effect for the batches not yet sent.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../db/connection.ts';
import { appendAuditEntry } from './accessAudit.ts';
import { getAnnouncement, markSending, recipientsOf, renderAnnouncement } from './announcements.ts';
import { nowSeconds } from './clock.ts';
import { JobSlot, type JobRecord } from './jobSlot.ts';
import type { Mailer } from './mail.ts';
import { requireRole } from './roles.ts';
import type { Vault } from './vault.ts';

/** Most mails sent together (one vault read, one claim, one progress update). */
const MAX_BATCH = 200;

export interface AnnouncementJobOptions {
  db: Db;
  vault: Vault;
  mailer: Mailer;
  /** Base of the unsubscribe links (the site's public URL). */
  publicUrl: () => string;
  log: (message: string) => void;
}

export class AnnouncementJobs {
  private readonly slot = new JobSlot('an announcement is being sent; wait for it to finish');
  private record: JobRecord | null = null;

  constructor(private readonly options: AnnouncementJobOptions) {}

  get busy(): boolean {
    return this.slot.busy;
  }

  idle(): Promise<void> {
    return this.slot.idle();
  }

  /**
   * An admin sends a draft: 403 for anyone else, 409 while another one is sending or for one that
   * is not a draft. The access-audit log records who sent what to how many.
   */
  async send(adminId: number, id: number): Promise<void> {
    const { db, vault } = this.options;
    await requireRole(db, adminId, 'admin');
    this.slot.checkFree();
    const recipients = await markSending(db, vault, adminId, id);
    const announcement = await getAnnouncement(db, id);
    await appendAuditEntry(db, {
      actorId: adminId,
      action: 'announcement_sent',
      detail: { announcement: id, subject: announcement.subject, recipients },
    });
    this.run(id);
  }

  /** At server start: carries on with an announcement a stopped server left sending. */
  async resume(): Promise<void> {
    const row = await this.options.db.kysely
      .selectFrom('announcements')
      .select('id')
      .where('status', '=', 'sending')
      .orderBy('id')
      .executeTakeFirst();
    if (row && !this.slot.busy) {
      this.options.log(`announcements: resuming announcement ${row.id}`);
      this.run(row.id);
    }
  }

  /** Server shutdown: stops after the batch in flight; the announcement stays 'sending'. */
  async close(): Promise<void> {
    if (this.record) await this.slot.close([this.record]);
  }

  private run(id: number): void {
    const record: JobRecord = {
      status: 'running',
      progress: 0,
      phase: 'sending',
      error: null,
      finishedAt: null,
    };
    this.record = record;
    this.slot.run(record, async () => {
      try {
        await this.sendAll(id, record);
      } catch (error) {
        this.options.log(`announcements: announcement ${id} stopped: ${(error as Error).message}`);
        throw error;
      }
    });
  }

  private async sendAll(id: number, record: JobRecord): Promise<void> {
    const { db, log } = this.options;
    const announcement = await getAnnouncement(db, id);
    const mail = renderAnnouncement(announcement.subject, announcement.body);
    const rate = announcement.ratePerMinute;
    // Batches of about a second's worth of mail, each followed by its share of the minute.
    const batchSize = Math.min(MAX_BATCH, Math.max(1, Math.ceil(rate / 60)));
    const batchMs = (batchSize * 60_000) / rate;
    const recipients = await recipientsOf(
      this.options.db,
      this.options.vault,
      announcement.surveyId,
    );
    let failures = 0;
    while (record.status === 'running') {
      const began = Date.now();
      const claimed = await this.claimBatch(recipients, id, batchSize);
      if (claimed === null) break;
      failures += await this.sendBatch(claimed, mail);
      await db.kysely
        .updateTable('announcements')
        .set((eb) => ({ sent: eb('sent', '+', claimed.length) }))
        .where('id', '=', id)
        .execute();
      const wait = batchMs - (Date.now() - began);
      if (wait > 0 && record.status === 'running') await sleep(wait);
    }
    if (record.status !== 'running') return; // stopped: the next server resumes it
    const done = await db.kysely
      .updateTable('announcements')
      .set({ status: 'sent', finished_at: nowSeconds() })
      .where('id', '=', id)
      .returning(['sent'])
      .executeTakeFirstOrThrow();
    record.status = 'done';
    record.progress = 1;
    log(
      `announcements: announcement ${id} sent to ${done.sent} members` +
        (failures > 0 ? ` (${failures} mails could not be sent)` : ''),
    );
  }

  /**
   * The next members to mail, claimed (delivery rows inserted) by this run: null when nobody is
   * left. Members another run claimed meanwhile drop out (an empty batch is not the end).
   */
  private async claimBatch(
    recipients: Awaited<ReturnType<typeof recipientsOf>>,
    id: number,
    size: number,
  ): Promise<Array<{ userId: number; token: string }> | null> {
    const { db } = this.options;
    const next = await recipients
      .select(['p.user_id', 'p.unsubscribe_token'])
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('announcement_deliveries as d')
              .select('d.user_id')
              .whereRef('d.user_id', '=', 'p.user_id')
              .where('d.announcement_id', '=', id),
          ),
        ),
      )
      .orderBy('p.user_id')
      .limit(size)
      .execute();
    if (next.length === 0) return null;
    const now = nowSeconds();
    const inserted = await db.kysely
      .insertInto('announcement_deliveries')
      .values(next.map((row) => ({ announcement_id: id, user_id: row.user_id, sent_at: now })))
      .onConflict((oc) => oc.columns(['announcement_id', 'user_id']).doNothing())
      .returning('user_id')
      .execute();
    const mine = new Set(inserted.map((row) => row.user_id));
    return next
      .filter((row) => mine.has(row.user_id))
      .map((row) => ({ userId: row.user_id, token: row.unsubscribe_token }));
  }

  /** Mails one claimed batch; returns how many could not be sent. */
  private async sendBatch(
    batch: Array<{ userId: number; token: string }>,
    mail: ReturnType<typeof renderAnnouncement>,
  ): Promise<number> {
    const { db, vault, mailer, publicUrl } = this.options;
    const addresses = await vault.emailsOf(
      db,
      batch.map((member) => member.userId),
    );
    const base = publicUrl();
    const results = await Promise.allSettled(
      batch.map(async (member) => {
        const to = addresses.get(member.userId);
        if (to === undefined) return; // the account was deleted meanwhile
        await mailer.send({
          to,
          ...mail,
          unsubscribeUrl: `${base}/api/unsubscribe?token=${member.token}`,
        });
      }),
    );
    return results.filter((result) => result.status === 'rejected').length;
  }
}
