/**
 * The account workflows that end in an e-mail: sign-up (a link, or a notice to the owner of a
 * registered address), a new sign-up link, password reset, change of address (a link to the new
 * address, or a notice to its owner) and its confirmation (a notice to the old address).
 *
 * - Links point at the site's configured public URL (`publicUrl`), never at anything a request
 *   says (a Host header would let an attacker receive the tokens).
 * - Each address gets at most `capPerHour` mails of each kind an hour (counted in the database,
 *   so every server process shares the cap); more are dropped silently, and the caller's answer
 *   stays the same, so the cap tells nothing about the address.
 * - Mail goes in the background: no answer waits on it, nor does its timing tell anything.
 *   Failures are logged without the address.
 */
import type { Db } from '../db/connection.ts';
import {
  completeRegistration,
  confirmEmailChange,
  createPasswordReset,
  renewRegistration,
  requestEmailChange,
  startRegistration,
  type CompletedRegistration,
  type RegisterInput,
} from './accounts.ts';
import {
  emailChangedMail,
  emailChangeLinkMail,
  emailChangeTakenMail,
  passwordResetMail,
  signupLinkMail,
  signupNoticeMail,
  type Mailer,
  type OutgoingMail,
} from './mail.ts';
import { unsubscribeToken } from './privacy.ts';
import type { Throttles } from './throttles.ts';
import { normalizeEmail, type Vault } from './vault.ts';

export type AccountMailKind =
  | 'signup-link'
  | 'signup-notice'
  | 'password-reset'
  | 'email-change-link'
  | 'email-change-taken'
  | 'email-changed';

/** Mails of one kind one address may get in an hour (README, security model). */
export const MAILS_PER_ADDRESS_PER_HOUR = 3;
const HOUR_MS = 3_600_000;

export interface AccountMailOptions {
  db: Db;
  vault: Vault;
  mailer: Mailer;
  throttles: Throttles;
  /** Base of the links in e-mails, e.g. https://lenslab.example.org (no trailing slash). */
  publicUrl: () => string;
  log: (message: string) => void;
  capPerHour?: number;
}

/** A mail to compose once the cap let it through (null: nothing to send after all). */
type Compose = (base: string) => Promise<OutgoingMail | null>;

export class AccountMail {
  private readonly capPerHour: number;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: AccountMailOptions) {
    this.capPerHour = options.capPerHour ?? MAILS_PER_ADDRESS_PER_HOUR;
  }

  /**
   * A sign-up: mails a link to a new address, or a notice to the owner of a registered one.
   * Throws an `invalid` ServiceError for a bad e-mail or password (before anything is stored).
   */
  async signUp(input: RegisterInput): Promise<void> {
    const { db, vault } = this.options;
    const result = await startRegistration(db, vault, input);
    const to = normalizeEmail(input.email);
    if (result.kind === 'new') {
      const { token } = result;
      this.send('signup-link', to, async (base) => signupLinkMail(to, base, token));
    } else {
      this.sendToMember('signup-notice', result.userId, signupNoticeMail);
    }
  }

  /** A new link for the address's newest pending sign-up, if it has one. */
  resendSignupLink(email: string): void {
    const { db, vault } = this.options;
    const to = normalizeEmail(email);
    this.send('signup-link', to, async (base) => {
      const token = await renewRegistration(db, vault, email);
      return token === null ? null : signupLinkMail(to, base, token);
    });
  }

  /** Follows a sign-up link with the sign-up password (no mail; here beside its start). */
  completeSignUp(token: string, password: string): Promise<CompletedRegistration> {
    return completeRegistration(this.options.db, this.options.vault, token, password);
  }

  /** A password reset link to the address's member, if it has one. */
  requestPasswordReset(email: string): void {
    const { db, vault } = this.options;
    const to = normalizeEmail(email);
    this.send('password-reset', to, async (base) => {
      const reset = await createPasswordReset(db, vault, email);
      if (!reset) return null;
      return passwordResetMail(
        to,
        base,
        reset.token,
        await this.unsubscribeUrl(reset.userId, base),
      );
    });
  }

  /**
   * A member (password checked by the caller) asks to move to `email`: a link to the new
   * address, or a notice to its owner when it has an account (nothing changes then). Throws
   * an `invalid` ServiceError for a bad address.
   */
  async requestEmailChange(userId: number, email: string): Promise<void> {
    const { db, vault } = this.options;
    const result = await requestEmailChange(db, vault, userId, email);
    if (result.kind === 'registered') {
      // Asking for the address one already has changes nothing and tells nothing new.
      if (result.userId !== userId)
        this.sendToMember('email-change-taken', result.userId, emailChangeTakenMail);
      return;
    }
    const to = normalizeEmail(email);
    const { token } = result;
    this.send('email-change-link', to, async (base) => emailChangeLinkMail(to, base, token));
  }

  /** Follows a change-of-address link; the old address gets a notice. False for a dead link. */
  async confirmEmailChange(token: string): Promise<boolean> {
    const { db, vault } = this.options;
    const changed = await confirmEmailChange(db, vault, token);
    if (changed === null) return false;
    const to = changed.previousEmail;
    this.send('email-changed', to, async (base) =>
      emailChangedMail(to, base, await this.unsubscribeUrl(changed.userId, base)),
    );
    return true;
  }

  private async unsubscribeUrl(userId: number, base: string): Promise<string> {
    return `${base}/api/unsubscribe?token=${await unsubscribeToken(this.options.db, userId)}`;
  }

  /** A notice to a member at their current address. */
  private sendToMember(
    kind: AccountMailKind,
    userId: number,
    template: (to: string, base: string, unsubscribeUrl: string) => OutgoingMail,
  ): void {
    const { db, vault } = this.options;
    this.background(kind, async () => {
      const to = await vault.emailOf(db, userId);
      if (to === null) return;
      this.send(kind, to, async (base) =>
        template(to, base, await this.unsubscribeUrl(userId, base)),
      );
    });
  }

  /** Counts the mail against the address's cap, then composes and sends it, in the background. */
  private send(kind: AccountMailKind, to: string, compose: Compose): void {
    const { vault, throttles, mailer, publicUrl, log } = this.options;
    this.background(kind, async () => {
      const hits = await throttles.hit(`mail:${kind}`, vault.throttleKey(to), HOUR_MS, Date.now());
      if (hits > this.capPerHour) {
        log(`mail: dropped a ${kind} mail: its address had ${this.capPerHour} this hour`);
        return;
      }
      const mail = await compose(publicUrl());
      if (mail) await mailer.send(mail);
    });
  }

  private background(kind: AccountMailKind, work: () => Promise<void>): void {
    const running = work()
      .catch((error: Error) =>
        this.options.log(`mail: could not send a ${kind} mail: ${error.message}`),
      )
      .finally(() => this.inFlight.delete(running));
    this.inFlight.add(running);
  }

  /** Resolves when every mail started so far is sent or dropped (server close, tests). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }
}
