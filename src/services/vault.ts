/**
 * The identity vault: the ONLY module that reads or writes e-mail addresses and password hashes.
 * Everything else knows a member by the numeric pseudonymous id.
 *
 * - E-mails are encrypted with AES-256-GCM (random 96-bit nonce per message) and found at login
 *   through an HMAC-SHA-256 blind index of the normalized address.
 * - Passwords are hashed with argon2id.
 * - A sign-up waits in `pending_registrations` (same protection) until its mailed link is
 *   followed with the password chosen at sign-up; only then does it become an identity.
 *   Identities are therefore always verified.
 * - A change of address waits in `email_changes` until the link mailed to the new address is
 *   followed.
 * - Keys derive (HKDF-SHA-256) from LENSLAB_SECRET, else from a 32-byte key file created on first
 *   run with 0600 permissions (default `data/secret.key`).
 * Nothing here logs an e-mail address.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
} from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import argon2 from 'argon2';
import type { Db } from '../db/connection.ts';

export const DEFAULT_KEY_FILE = './data/secret.key';
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 200;
export const EMAIL_MAX_LENGTH = 254;

/** argon2id parameters (OWASP 2023 minimum: 19 MiB, 2 iterations, 1 lane). */
const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export interface VaultOptions {
  /** A secret string (LENSLAB_SECRET); wins over the key file. */
  secret?: string;
  /** Where the key file lives (created with 0600 when missing). */
  keyFile?: string;
}

/** A problem with the e-mail or password a member typed (policy), safe to show them. */
export class CredentialPolicyError extends Error {
  constructor(
    readonly field: 'email' | 'password',
    message: string,
  ) {
    super(message);
    this.name = 'CredentialPolicyError';
  }
}

/** Lower-cased and trimmed: the form the blind index is computed on. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function checkEmailPolicy(email: string): void {
  const normalized = normalizeEmail(email);
  if (normalized.length > EMAIL_MAX_LENGTH || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(normalized)) {
    throw new CredentialPolicyError(
      'email',
      'email: must be an e-mail address such as name@example.org',
    );
  }
}

export function checkPasswordPolicy(password: string): void {
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    throw new CredentialPolicyError(
      'password',
      `password: must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long`,
    );
  }
}

function loadMasterKey(options: VaultOptions): Buffer {
  const secret = options.secret ?? process.env.LENSLAB_SECRET;
  if (secret) {
    if (secret.length < 16) throw new Error('LENSLAB_SECRET must be at least 16 characters');
    return Buffer.from(secret, 'utf8');
  }
  const file = resolve(options.keyFile ?? DEFAULT_KEY_FILE);
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  if (key.length < 32) throw new Error(`${file}: the key file must hold 32 bytes in hex`);
  return key;
}

/** Pending sign-ups a login checks the password against (newest first): bounds the work. */
const PENDING_CHECKED_AT_LOGIN = 3;

/** Passwords that may be typed with one sign-up link; the link dies with the last wrong one. */
export const SIGNUP_PASSWORD_TRIES = 5;

/**
 * What a sign-up or a change of address left: a link token to mail (an address without an
 * account), or the member who already has the address (nothing to mail but a notice to them).
 */
export type AddressLinkResult =
  { kind: 'new'; token: string } | { kind: 'registered'; userId: number };
export type PendingRegistrationResult = AddressLinkResult;

/** Following a sign-up link: the claim, a wrong password (tries left), or a dead link. */
export type SignupClaimResult =
  | { kind: 'claimed'; claim: ClaimedRegistration }
  | { kind: 'wrong-password'; triesLeft: number }
  | { kind: 'unknown' };

interface SealedIdentity {
  emailCiphertext: string;
  emailBlindIndex: string;
  passwordHash: string;
}

/** What a ClaimedRegistration carries, readable by this module only. */
const sealedClaims = new WeakMap<ClaimedRegistration, SealedIdentity>();

/**
 * A claimed sign-up on its way to becoming an identity. Its e-mail and password hash stay inside
 * the vault: the caller can hand it back (createVerifiedIdentity) but cannot read them.
 */
export class ClaimedRegistration {
  constructor(readonly researchConsent: boolean) {}
}

/** SHA-256 (hex) of a link token: only this is stored. */
function hashLinkToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class Vault {
  private readonly encryptionKey: Buffer;
  private readonly indexKey: Buffer;
  private readonly throttleSecret: Buffer;
  private dummyHash: Promise<string> | null = null;

  constructor(options: VaultOptions = {}) {
    const master = loadMasterKey(options);
    const derive = (info: string) =>
      Buffer.from(hkdfSync('sha256', master, 'lenslab-vault', info, 32));
    this.encryptionKey = derive('email-encryption');
    this.indexKey = derive('email-blind-index');
    this.throttleSecret = derive('throttle-key');
  }

  /** HMAC-SHA-256 of the normalized e-mail, hex. */
  blindIndex(email: string): string {
    return createHmac('sha256', this.indexKey).update(normalizeEmail(email)).digest('hex');
  }

  /**
   * The key of a throttle counter (src/services/throttles.ts) for an e-mail address and, when
   * given, a source (IP) address: an HMAC, so the table holds neither in the clear.
   */
  throttleKey(email: string, source?: string): string {
    const hmac = createHmac('sha256', this.throttleSecret).update(normalizeEmail(email));
    if (source !== undefined) hmac.update('\0').update(source);
    return hmac.digest('hex');
  }

  /** base64(nonce ‖ tag ‖ ciphertext) */
  encrypt(plaintext: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, nonce);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64');
  }

  decrypt(encoded: string): string {
    const data = Buffer.from(encoded, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(12, 28));
    return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
  }

  hashPassword(password: string): Promise<string> {
    return argon2.hash(password, ARGON2_OPTIONS);
  }

  async verifyPassword(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }

  /** Spends the time of a real verification, so a missing account answers as slowly as a wrong password. */
  private async burnVerification(password: string): Promise<void> {
    this.dummyHash ??= this.hashPassword(randomBytes(16).toString('hex'));
    await this.verifyPassword(await this.dummyHash, password);
  }

  // ---- the identities table ------------------------------------------------------------

  /** Stores a new identity; returns false (changing nothing) when the e-mail is taken. */
  async createIdentity(db: Db, userId: number, email: string, password: string): Promise<boolean> {
    checkEmailPolicy(email);
    checkPasswordPolicy(password);
    const index = this.blindIndex(email);
    const hash = await this.hashPassword(password);
    const now = Math.floor(Date.now() / 1000);
    const existing = await db.kysely
      .selectFrom('identities')
      .select('user_id')
      .where('email_blind_index', '=', index)
      .executeTakeFirst();
    if (existing) return false;
    try {
      await db.kysely
        .insertInto('identities')
        .values({
          user_id: userId,
          email_ciphertext: this.encrypt(normalizeEmail(email)),
          email_blind_index: index,
          password_hash: hash,
          created_at: now,
          updated_at: now,
        })
        .execute();
      return true;
    } catch (error) {
      // A concurrent registration of the same e-mail hit the unique index.
      const again = await db.kysely
        .selectFrom('identities')
        .select('user_id')
        .where('email_blind_index', '=', index)
        .executeTakeFirst();
      if (again) return false;
      throw error;
    }
  }

  /** The member id when an e-mail is registered (no password check: for password resets). */
  async findMember(db: Db, email: string): Promise<number | null> {
    const row = await db.kysely
      .selectFrom('identities')
      .select('user_id')
      .where('email_blind_index', '=', this.blindIndex(email))
      .executeTakeFirst();
    return row ? row.user_id : null;
  }

  /** The member id when e-mail and password match, else null (same work either way). */
  async authenticate(db: Db, email: string, password: string): Promise<number | null> {
    const row = await db.kysely
      .selectFrom('identities')
      .select(['user_id', 'password_hash'])
      .where('email_blind_index', '=', this.blindIndex(email))
      .executeTakeFirst();
    if (!row) {
      await this.burnVerification(password);
      return null;
    }
    return (await this.verifyPassword(row.password_hash, password)) ? row.user_id : null;
  }

  /** True when the password is the member's. */
  async checkPassword(db: Db, userId: number, password: string): Promise<boolean> {
    const row = await db.kysely
      .selectFrom('identities')
      .select('password_hash')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!row) {
      await this.burnVerification(password);
      return false;
    }
    return this.verifyPassword(row.password_hash, password);
  }

  /** The member's e-mail address (for mail and the account page only), or null. */
  async emailOf(db: Db, userId: number): Promise<string | null> {
    const row = await db.kysely
      .selectFrom('identities')
      .select('email_ciphertext')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row ? this.decrypt(row.email_ciphertext) : null;
  }

  async setPassword(db: Db, userId: number, password: string): Promise<void> {
    checkPasswordPolicy(password);
    const hash = await this.hashPassword(password);
    await db.kysely
      .updateTable('identities')
      .set({ password_hash: hash, updated_at: Math.floor(Date.now() / 1000) })
      .where('user_id', '=', userId)
      .execute();
  }

  // ---- changes of address (the email_changes table) ------------------------------------------

  /**
   * Records a member's request to move to `email` (their earlier requests' links die). For an
   * address without an account it stores the encrypted address under a fresh link token and
   * returns the token (to be mailed there); for an address that has an account (even the
   * member's own) it stores a row without the address and returns the holder. Both paths write
   * one row.
   */
  async createEmailChange(
    db: Db,
    userId: number,
    email: string,
    options: { now: number; expiresAt: number },
  ): Promise<AddressLinkResult> {
    checkEmailPolicy(email);
    const holder = await this.findMember(db, email);
    const token = randomBytes(32).toString('base64url');
    await db.kysely.deleteFrom('email_changes').where('user_id', '=', userId).execute();
    await db.kysely
      .insertInto('email_changes')
      .values({
        token_hash: hashLinkToken(token),
        user_id: userId,
        email_blind_index: this.blindIndex(email),
        email_ciphertext: holder === null ? this.encrypt(normalizeEmail(email)) : null,
        created_at: options.now,
        expires_at: options.expiresAt,
      })
      .execute();
    return holder === null ? { kind: 'new', token } : { kind: 'registered', userId: holder };
  }

  /**
   * Follows a change-of-address link: switches the member's address (their other links die) and
   * returns the member and the address they had, for a notice. Null (nothing changed) when the
   * link is unknown, expired or used, or the address got an account meanwhile.
   */
  async confirmEmailChange(
    db: Db,
    token: string,
    now: number,
  ): Promise<{ userId: number; previousEmail: string } | null> {
    const tokenHash = hashLinkToken(token);
    const row = await db.kysely
      .selectFrom('email_changes')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row || row.email_ciphertext === null || Number(row.expires_at) <= now) return null;
    const claimed = await db.kysely
      .deleteFrom('email_changes')
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (Number(claimed.numDeletedRows) !== 1) return null;
    const previousEmail = await this.emailOf(db, row.user_id);
    if (previousEmail === null) return null;
    const taken = async () =>
      (await db.kysely
        .selectFrom('identities')
        .select('user_id')
        .where('email_blind_index', '=', row.email_blind_index)
        .executeTakeFirst()) !== undefined;
    if (await taken()) return null;
    try {
      await db.kysely
        .updateTable('identities')
        .set({
          email_ciphertext: row.email_ciphertext,
          email_blind_index: row.email_blind_index,
          updated_at: now,
        })
        .where('user_id', '=', row.user_id)
        .execute();
    } catch (error) {
      // The address was confirmed for another account at the same moment (unique index).
      if (await taken()) return null;
      throw error;
    }
    await db.kysely.deleteFrom('email_changes').where('user_id', '=', row.user_id).execute();
    return { userId: row.user_id, previousEmail };
  }

  /**
   * Deletes sign-ups and change-of-address requests whose link expired (the server's hourly
   * sweep); returns how many.
   */
  async deleteExpiredLinks(db: Db, now: number): Promise<number> {
    const changes = await db.kysely
      .deleteFrom('email_changes')
      .where('expires_at', '<=', now)
      .executeTakeFirst();
    return (await this.deleteExpiredRegistrations(db, now)) + Number(changes.numDeletedRows);
  }

  // ---- pending sign-ups (the pending_registrations table) -------------------------------------

  /**
   * Records a sign-up. For an address without an account it stores the encrypted e-mail and the
   * password hash under a fresh link token and returns the token (to be mailed). For an address
   * that has an account it stores only the blind index and the hash (no token leaves), so that a
   * login with that password answers like any pending sign-up; it returns the member. Both paths
   * hash the password and write one row: they take the same time.
   */
  async createPendingRegistration(
    db: Db,
    email: string,
    password: string,
    options: { researchConsent: boolean; now: number; expiresAt: number },
  ): Promise<PendingRegistrationResult> {
    checkEmailPolicy(email);
    checkPasswordPolicy(password);
    const index = this.blindIndex(email);
    const member = await this.findMember(db, email);
    const hash = await this.hashPassword(password);
    const token = randomBytes(32).toString('base64url');
    await db.kysely
      .insertInto('pending_registrations')
      .values({
        token_hash: hashLinkToken(token),
        email_blind_index: index,
        email_ciphertext: member === null ? this.encrypt(normalizeEmail(email)) : null,
        password_hash: hash,
        research_consent: options.researchConsent ? 1 : 0,
        created_at: options.now,
        expires_at: options.expiresAt,
      })
      .execute();
    return member === null ? { kind: 'new', token } : { kind: 'registered', userId: member };
  }

  /**
   * Claims a sign-up by its link token and the password chosen at sign-up: deletes the row (so a
   * link works once) and returns it sealed. A wrong password leaves the link working, up to
   * SIGNUP_PASSWORD_TRIES tries in all; 'unknown' when the token is unknown, expired, used or out
   * of tries.
   */
  async claimPendingRegistration(
    db: Db,
    token: string,
    password: string,
    now: number,
  ): Promise<SignupClaimResult> {
    const tokenHash = hashLinkToken(token);
    // Count the try before checking it, so concurrent guesses cannot exceed the limit.
    const reserved = await db.kysely
      .updateTable('pending_registrations')
      .set((eb) => ({ verify_failures: eb('verify_failures', '+', 1) }))
      .where('token_hash', '=', tokenHash)
      .where('email_ciphertext', 'is not', null)
      .where('expires_at', '>', now)
      .where('verify_failures', '<', SIGNUP_PASSWORD_TRIES)
      .executeTakeFirst();
    if (Number(reserved.numUpdatedRows) !== 1) return { kind: 'unknown' };
    const row = await db.kysely
      .selectFrom('pending_registrations')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row || row.email_ciphertext === null) return { kind: 'unknown' };
    if (!(await this.verifyPassword(row.password_hash, password))) {
      const triesLeft = Math.max(0, SIGNUP_PASSWORD_TRIES - Number(row.verify_failures));
      if (triesLeft === 0)
        await db.kysely
          .deleteFrom('pending_registrations')
          .where('token_hash', '=', tokenHash)
          .execute();
      return { kind: 'wrong-password', triesLeft };
    }
    const claimed = await db.kysely
      .deleteFrom('pending_registrations')
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (Number(claimed.numDeletedRows) !== 1) return { kind: 'unknown' };
    const claim = new ClaimedRegistration(row.research_consent === 1);
    sealedClaims.set(claim, {
      emailCiphertext: row.email_ciphertext,
      emailBlindIndex: row.email_blind_index,
      passwordHash: row.password_hash,
    });
    return { kind: 'claimed', claim };
  }

  /**
   * Turns a claimed sign-up into the identity of `userId` and drops every other pending sign-up
   * of the address (their links die). False (nothing stored) when the address got an account
   * meanwhile.
   */
  async createVerifiedIdentity(
    db: Db,
    userId: number,
    claim: ClaimedRegistration,
    now: number,
  ): Promise<boolean> {
    const sealed = sealedClaims.get(claim);
    if (!sealed) throw new Error('createVerifiedIdentity: not a claim made by the vault');
    const taken = async () =>
      (await db.kysely
        .selectFrom('identities')
        .select('user_id')
        .where('email_blind_index', '=', sealed.emailBlindIndex)
        .executeTakeFirst()) !== undefined;
    if (await taken()) return false;
    try {
      await db.kysely
        .insertInto('identities')
        .values({
          user_id: userId,
          email_ciphertext: sealed.emailCiphertext,
          email_blind_index: sealed.emailBlindIndex,
          password_hash: sealed.passwordHash,
          created_at: now,
          updated_at: now,
        })
        .execute();
    } catch (error) {
      // Two links of the same address followed at once: the unique index lets one win.
      if (await taken()) return false;
      throw error;
    }
    await db.kysely
      .deleteFrom('pending_registrations')
      .where('email_blind_index', '=', sealed.emailBlindIndex)
      .execute();
    return true;
  }

  /**
   * True when the password matches one of the address's newest unexpired sign-ups (new or a
   * repeat of a registered address: the answer must not tell which).
   */
  async matchesPendingRegistration(
    db: Db,
    email: string,
    password: string,
    now: number,
  ): Promise<boolean> {
    const rows = await db.kysely
      .selectFrom('pending_registrations')
      .select('password_hash')
      .where('email_blind_index', '=', this.blindIndex(email))
      .where('expires_at', '>', now)
      .orderBy('created_at', 'desc')
      .limit(PENDING_CHECKED_AT_LOGIN)
      .execute();
    for (const row of rows) if (await this.verifyPassword(row.password_hash, password)) return true;
    return false;
  }

  /**
   * A new link token for the address's newest unexpired sign-up (the older link of that sign-up
   * stops working), valid until `expiresAt`; null when the address has an account or no pending
   * sign-up.
   */
  async renewPendingRegistration(
    db: Db,
    email: string,
    expiresAt: number,
    now: number,
  ): Promise<string | null> {
    if ((await this.findMember(db, email)) !== null) return null;
    const row = await db.kysely
      .selectFrom('pending_registrations')
      .select('token_hash')
      .where('email_blind_index', '=', this.blindIndex(email))
      .where('email_ciphertext', 'is not', null)
      .where('expires_at', '>', now)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row) return null;
    const token = randomBytes(32).toString('base64url');
    const renewed = await db.kysely
      .updateTable('pending_registrations')
      .set({ token_hash: hashLinkToken(token), expires_at: expiresAt })
      .where('token_hash', '=', row.token_hash)
      .executeTakeFirst();
    return Number(renewed.numUpdatedRows) === 1 ? token : null;
  }

  /** Deletes sign-ups whose link expired; returns how many. */
  async deleteExpiredRegistrations(db: Db, now: number): Promise<number> {
    const result = await db.kysely
      .deleteFrom('pending_registrations')
      .where('expires_at', '<=', now)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteIdentity(db: Db, userId: number): Promise<void> {
    await db.kysely.deleteFrom('identities').where('user_id', '=', userId).execute();
  }
}
