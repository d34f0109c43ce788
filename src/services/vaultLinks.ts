/**
 * The vault's links (the other half of the vault, with vault.ts: the only modules that read or
 * write e-mail addresses and password hashes):
 * - A sign-up waits in `pending_registrations` (e-mail encrypted, password hashed) until its
 *   mailed link is followed with the password chosen at sign-up; only then does it become an
 *   identity.
 * - A change of address waits in `email_changes` until the link mailed to the new address is
 *   followed.
 * Only the SHA-256 of a link token is stored. Nothing here logs an e-mail address.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/connection.ts';
import {
  checkEmailPolicy,
  checkPasswordPolicy,
  normalizeEmail,
  type SealedIdentity,
  type Vault,
} from './vault.ts';

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

// ---- changes of address (the email_changes table) --------------------------------------------

/**
 * Records a member's request to move to `email` (their earlier requests' links die). For an
 * address without an account it stores the encrypted address under a fresh link token and
 * returns the token (to be mailed there); for an address that has an account (even the
 * member's own) it stores a row without the address and returns the holder. Both paths write
 * one row.
 */
export async function createEmailChange(
  vault: Vault,
  db: Db,
  userId: number,
  email: string,
  options: { now: number; expiresAt: number },
): Promise<AddressLinkResult> {
  checkEmailPolicy(email);
  const holder = await vault.findMember(db, email);
  const token = randomBytes(32).toString('base64url');
  await db.kysely.deleteFrom('email_changes').where('user_id', '=', userId).execute();
  await db.kysely
    .insertInto('email_changes')
    .values({
      token_hash: hashLinkToken(token),
      user_id: userId,
      email_blind_index: vault.blindIndex(email),
      email_ciphertext: holder === null ? vault.encrypt(normalizeEmail(email)) : null,
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
export async function confirmEmailChange(
  vault: Vault,
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
  const previousEmail = await vault.emailOf(db, row.user_id);
  if (previousEmail === null) return null;
  const { email_ciphertext: emailCiphertext, email_blind_index: emailBlindIndex } = row;
  // Not when the address got an account meanwhile, or at the same moment (unique index).
  const moved = await vault.writeUnlessTaken(db, emailBlindIndex, async () => {
    await db.kysely
      .updateTable('identities')
      .set({
        email_ciphertext: emailCiphertext,
        email_blind_index: emailBlindIndex,
        updated_at: now,
      })
      .where('user_id', '=', row.user_id)
      .execute();
  });
  if (!moved) return null;
  await db.kysely.deleteFrom('email_changes').where('user_id', '=', row.user_id).execute();
  return { userId: row.user_id, previousEmail };
}

/**
 * Deletes sign-ups and change-of-address requests whose link expired (the server's hourly
 * sweep); returns how many.
 */
export async function deleteExpiredLinks(db: Db, now: number): Promise<number> {
  const changes = await db.kysely
    .deleteFrom('email_changes')
    .where('expires_at', '<=', now)
    .executeTakeFirst();
  return (await deleteExpiredRegistrations(db, now)) + Number(changes.numDeletedRows);
}

// ---- pending sign-ups (the pending_registrations table) -------------------------------------

/**
 * Records a sign-up. For an address without an account it stores the encrypted e-mail and the
 * password hash under a fresh link token and returns the token (to be mailed). For an address
 * that has an account it stores only the blind index and the hash (no token leaves), so that a
 * login with that password answers like any pending sign-up; it returns the member. Both paths
 * hash the password and write one row: they take the same time.
 */
export async function createPendingRegistration(
  vault: Vault,
  db: Db,
  email: string,
  password: string,
  options: { researchConsent: boolean; now: number; expiresAt: number },
): Promise<PendingRegistrationResult> {
  checkEmailPolicy(email);
  checkPasswordPolicy(password);
  const index = vault.blindIndex(email);
  const member = await vault.findMember(db, email);
  const hash = await vault.hashPassword(password);
  const token = randomBytes(32).toString('base64url');
  await db.kysely
    .insertInto('pending_registrations')
    .values({
      token_hash: hashLinkToken(token),
      email_blind_index: index,
      email_ciphertext: member === null ? vault.encrypt(normalizeEmail(email)) : null,
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
export async function claimPendingRegistration(
  vault: Vault,
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
  if (!(await vault.verifyPassword(row.password_hash, password))) {
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
export async function createVerifiedIdentity(
  vault: Vault,
  db: Db,
  userId: number,
  claim: ClaimedRegistration,
  now: number,
): Promise<boolean> {
  const sealed = sealedClaims.get(claim);
  if (!sealed) throw new Error('createVerifiedIdentity: not a claim made by the vault');
  // Not when the address got an account meanwhile (two links of it followed at once: the
  // unique index lets one win).
  if (!(await vault.insertIdentity(db, { ...sealed, userId, now }))) return false;
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
export async function matchesPendingRegistration(
  vault: Vault,
  db: Db,
  email: string,
  password: string,
  now: number,
): Promise<boolean> {
  const rows = await db.kysely
    .selectFrom('pending_registrations')
    .select('password_hash')
    .where('email_blind_index', '=', vault.blindIndex(email))
    .where('expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .limit(PENDING_CHECKED_AT_LOGIN)
    .execute();
  for (const row of rows) if (await vault.verifyPassword(row.password_hash, password)) return true;
  return false;
}

/**
 * A new link token for the address's newest unexpired sign-up (the older link of that sign-up
 * stops working), valid until `expiresAt`; null when the address has an account or no pending
 * sign-up.
 */
export async function renewPendingRegistration(
  vault: Vault,
  db: Db,
  email: string,
  expiresAt: number,
  now: number,
): Promise<string | null> {
  if ((await vault.findMember(db, email)) !== null) return null;
  const row = await db.kysely
    .selectFrom('pending_registrations')
    .select('token_hash')
    .where('email_blind_index', '=', vault.blindIndex(email))
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
export async function deleteExpiredRegistrations(db: Db, now: number): Promise<number> {
  const result = await db.kysely
    .deleteFrom('pending_registrations')
    .where('expires_at', '<=', now)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
