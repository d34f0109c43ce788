/**
 * The identity vault: the ONLY module that reads or writes e-mail addresses and password hashes.
 * Everything else knows a member by the numeric pseudonymous id.
 *
 * - E-mails are encrypted with AES-256-GCM (random 96-bit nonce per message) and found at login
 *   through an HMAC-SHA-256 blind index of the normalized address.
 * - Passwords are hashed with argon2id.
 * - Sign-ups and changes of address wait for their mailed link in vaultLinks.ts (the other
 *   module of the vault); identities are therefore always verified.
 * - Keys derive (HKDF-SHA-256) from LENSLAB_SECRET, else from a 32-byte key file created on first
 *   run with 0600 permissions (default `data/secret.key`).
 * Nothing here logs an e-mail address.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import argon2 from 'argon2';
import type { Kysely } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { Database } from '../db/schema.ts';
import { invalid } from './errors.ts';

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

/** Lower-cased and trimmed: the form the blind index is computed on. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function checkEmailPolicy(email: string): void {
  const normalized = normalizeEmail(email);
  if (normalized.length > EMAIL_MAX_LENGTH || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(normalized)) {
    throw invalid('email: must be an e-mail address such as name@example.org');
  }
}

export function checkPasswordPolicy(password: string): void {
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    throw invalid(
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

/** An identity's stored secrets: the encrypted address, its blind index, the password hash. */
export interface SealedIdentity {
  emailCiphertext: string;
  emailBlindIndex: string;
  passwordHash: string;
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
    const blindIndex = this.blindIndex(email);
    const passwordHash = await this.hashPassword(password);
    return this.insertIdentity(db, {
      userId,
      emailCiphertext: this.encrypt(normalizeEmail(email)),
      emailBlindIndex: blindIndex,
      passwordHash,
      now: Math.floor(Date.now() / 1000),
    });
  }

  /** Inserts an identity row; false (nothing stored) when its address has an identity. */
  async insertIdentity(db: Db, identity: SealedIdentity & { userId: number; now: number }) {
    return this.writeUnlessTaken(db, identity.emailBlindIndex, async () => {
      await db.kysely
        .insertInto('identities')
        .values({
          user_id: identity.userId,
          email_ciphertext: identity.emailCiphertext,
          email_blind_index: identity.emailBlindIndex,
          password_hash: identity.passwordHash,
          created_at: identity.now,
          updated_at: identity.now,
        })
        .execute();
    });
  }

  /**
   * Runs `write` (which gives an identity the address of `blindIndex`) unless an identity has
   * that address; false when one has, also when a concurrent write won the unique index.
   */
  async writeUnlessTaken(db: Db, blindIndex: string, write: () => Promise<void>): Promise<boolean> {
    const taken = async () => (await this.holderOf(db, blindIndex)) !== null;
    if (await taken()) return false;
    try {
      await write();
      return true;
    } catch (error) {
      if (await taken()) return false;
      throw error;
    }
  }

  private async holderOf(db: Db, blindIndex: string): Promise<number | null> {
    const row = await db.kysely
      .selectFrom('identities')
      .select('user_id')
      .where('email_blind_index', '=', blindIndex)
      .executeTakeFirst();
    return row ? row.user_id : null;
  }

  /** The member id when an e-mail is registered (no password check: for password resets). */
  findMember(db: Db, email: string): Promise<number | null> {
    return this.holderOf(db, this.blindIndex(email));
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

  /**
   * The addresses of those of `userIds` who have an identity (an announcement's send job: the
   * addresses live only in the job's memory while their batch is sent).
   */
  async emailsOf(db: Db, userIds: readonly number[]): Promise<Map<number, string>> {
    if (userIds.length === 0) return new Map();
    const rows = await db.kysely
      .selectFrom('identities')
      .select(['user_id', 'email_ciphertext'])
      .where('user_id', 'in', userIds)
      .execute();
    return new Map(rows.map((row) => [row.user_id, this.decrypt(row.email_ciphertext)]));
  }

  /** The ids of members with an identity (a confirmed address), as a subquery; no address. */
  addressedMembers(db: Db) {
    return db.kysely.selectFrom('identities').select('identities.user_id');
  }

  /** Deletes the member's identity (account deletion, inside its transaction). */
  async deleteIdentity(executor: Kysely<Database>, userId: number): Promise<void> {
    await executor.deleteFrom('identities').where('user_id', '=', userId).execute();
  }
}
