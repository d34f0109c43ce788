/**
 * Outgoing e-mail. With SMTP_URL set, messages go through SMTP (nodemailer); otherwise each one
 * is written to an outbox folder (default data/outbox/) as an .eml file and its path logged.
 * Every message carries a one-click unsubscribe link (body and List-Unsubscribe headers).
 * Only the file path is logged, never an address.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';

export const DEFAULT_OUTBOX = './data/outbox';

export interface MailerOptions {
  smtpUrl?: string;
  outboxDir?: string;
  from?: string;
  log?: (message: string) => void;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** The one-click unsubscribe URL (works without logging in). */
  unsubscribeUrl: string;
}

export interface SentMail {
  /** The .eml file, when written to the outbox. */
  path: string | null;
}

export class Mailer {
  private readonly transport: Transporter;
  private readonly outboxDir: string | null;
  private readonly from: string;

  constructor(private readonly options: MailerOptions = {}) {
    const smtpUrl = options.smtpUrl ?? process.env.SMTP_URL;
    this.from = options.from ?? process.env.MAIL_FROM ?? 'lenslab <no-reply@lenslab.invalid>';
    if (smtpUrl) {
      this.transport = nodemailer.createTransport(smtpUrl);
      this.outboxDir = null;
    } else {
      this.transport = nodemailer.createTransport({
        streamTransport: true,
        buffer: true,
        newline: 'unix',
      });
      this.outboxDir = resolve(options.outboxDir ?? process.env.LENSLAB_OUTBOX ?? DEFAULT_OUTBOX);
    }
  }

  async send(mail: OutgoingMail): Promise<SentMail> {
    const text = `${mail.text.trimEnd()}\n\n--\nYou receive this because you have a lenslab account.\nUnsubscribe from lenslab e-mail updates with one click: ${mail.unsubscribeUrl}\n`;
    const info = await this.transport.sendMail({
      from: this.from,
      to: mail.to,
      subject: mail.subject,
      text,
      headers: {
        'List-Unsubscribe': `<${mail.unsubscribeUrl}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    });
    if (!this.outboxDir) return { path: null };
    mkdirSync(this.outboxDir, { recursive: true });
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`;
    const path = join(this.outboxDir, name);
    writeFileSync(path, (info as unknown as { message: Buffer }).message, { mode: 0o600 });
    this.options.log?.(`mail: wrote ${path}`);
    return { path };
  }
}
