/**
 * Outgoing e-mail. With SMTP_URL set, messages go through SMTP (nodemailer); otherwise each one
 * is written to an outbox folder (default data/outbox/) as an .eml file and its path logged.
 * Every message to a member carries a one-click unsubscribe link (body and List-Unsubscribe
 * headers); a sign-up or change-of-address link goes to an address that has no account yet, and
 * says why it came instead.
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
  /** An HTML alternative of `text` (announcements); the footer is added to it too. */
  html?: string;
  /** The one-click unsubscribe URL (works without logging in); absent only for address links. */
  unsubscribeUrl?: string;
  /** Why an address without an account got this (the footer when there is no unsubscribe URL). */
  reason?: string;
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
      // Pooled: an announcement's batches reuse a few SMTP connections instead of one per mail.
      this.transport = nodemailer.createTransport({ url: smtpUrl, pool: true });
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
    const footer = mail.unsubscribeUrl
      ? `You receive this because you have a lenslab account.\nUnsubscribe from lenslab e-mail updates with one click: ${mail.unsubscribeUrl}`
      : (mail.reason ??
        `You receive this because someone asked to create a lenslab account with this address.\nNo account exists unless the link above is followed.`);
    const info = await this.transport.sendMail({
      from: this.from,
      to: mail.to,
      subject: mail.subject,
      text: `${mail.text.trimEnd()}\n\n--\n${footer}\n`,
      ...(mail.html === undefined ? {} : { html: `${mail.html}\n${htmlFooter(footer)}` }),
      headers: mail.unsubscribeUrl
        ? {
            'List-Unsubscribe': `<${mail.unsubscribeUrl}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          }
        : {},
    });
    if (!this.outboxDir) return { path: null };
    mkdirSync(this.outboxDir, { recursive: true });
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`;
    const path = join(this.outboxDir, name);
    writeFileSync(path, (info as unknown as { message: Buffer }).message, { mode: 0o600 });
    this.options.log?.(`mail: wrote ${path}`);
    return { path };
  }

  /** Closes the SMTP connections of the pool (server shutdown). */
  close(): void {
    this.transport.close();
  }
}

/** The footer as HTML: escaped, with its link clickable. */
function htmlFooter(footer: string): string {
  const escaped = footer.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const linked = escaped.replace(/(https?:\/\/[^\s<]+)/g, '<a href="$1">$1</a>');
  return `<hr><p>${linked.replace(/\n/g, '<br>')}</p>`;
}

// ---- templates -------------------------------------------------------------------------------

/** The link that turns a sign-up into an account (`base` is the site's public URL). */
export function signupLinkMail(to: string, base: string, token: string): OutgoingMail {
  return {
    to,
    subject: 'Confirm your lenslab account',
    text:
      `Someone (hopefully you) asked to create a lenslab account with this e-mail address.\n\n` +
      `If you did not sign up to lenslab, ignore this message and do not follow the link: without it no account is created.\n\n` +
      `If you did, confirm it and log in here with the password you chose when signing up (the link works once, for 24 hours):\n${base}/verify-email?token=${token}`,
  };
}

/** A password reset link (works once, for one hour). */
export function passwordResetMail(
  to: string,
  base: string,
  token: string,
  unsubscribeUrl: string,
): OutgoingMail {
  return {
    to,
    subject: 'Reset your lenslab password',
    text:
      `Someone (hopefully you) asked to reset the password of your lenslab account.\n\n` +
      `Choose a new password here (the link works once, for one hour):\n${base}/reset-password?token=${token}\n\n` +
      `If you did not ask for this, ignore this message; your password stays as it is.`,
    unsubscribeUrl,
  };
}

/** The link that moves an account to this (new) address. */
export function emailChangeLinkMail(to: string, base: string, token: string): OutgoingMail {
  return {
    to,
    subject: 'Confirm your new lenslab e-mail address',
    text:
      `Someone (hopefully you) asked to use this e-mail address for their lenslab account.\n\n` +
      `If it was not you, ignore this message: without the link nothing changes.\n\n` +
      `If it was you, confirm the new address here (the link works once, for 24 hours):\n${base}/confirm-email?token=${token}`,
    reason:
      'You receive this because someone asked to use this address for a lenslab account.\nNothing changes unless the link above is followed.',
  };
}

/** Tells the owner of a registered address that another account asked to move to it. */
export function emailChangeTakenMail(
  to: string,
  base: string,
  unsubscribeUrl: string,
): OutgoingMail {
  return {
    to,
    subject: 'Someone tried to move a lenslab account to your address',
    text:
      `A lenslab member asked to use this e-mail address, which already has a lenslab account, for their account.\n\n` +
      `Nothing changed: your account keeps this address and its password. You need not do anything.\n` +
      `If it was you, log in at ${base}/login with this address instead.`,
    unsubscribeUrl,
  };
}

/** Tells the previous address of an account that the account moved to another address. */
export function emailChangedMail(to: string, base: string, unsubscribeUrl: string): OutgoingMail {
  return {
    to,
    subject: 'Your lenslab e-mail was changed',
    text:
      `The e-mail address of your lenslab account was changed: from now on you log in with the new address, and this one no longer reaches the account.\n\n` +
      `If you made this change, you need not do anything.\n` +
      `If you did not, someone else knows your password: contact the operators of this lenslab site (${base}) at once.`,
    unsubscribeUrl,
  };
}

/** Tells the owner of a registered address that someone tried to sign up with it. */
export function signupNoticeMail(to: string, base: string, unsubscribeUrl: string): OutgoingMail {
  return {
    to,
    subject: 'Someone tried to sign up to lenslab with your address',
    text:
      `Someone (maybe you) tried to create a lenslab account with this e-mail address, which already has an account.\n\n` +
      `If it was you, log in at ${base}/login, or choose a new password at ${base}/reset-password.\n` +
      `If it was not you, nothing changed and you need not do anything.`,
    unsubscribeUrl,
  };
}
