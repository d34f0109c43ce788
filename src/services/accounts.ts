/**
 * Web members: registration (a sign-up becomes a member only when its e-mailed link is followed),
 * login, profile facts. Identity (e-mail, password) goes through the
 * vault; this module only ever handles the numeric pseudonymous id.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { Db } from '../db/connection.ts';
import type { AccountMail } from './accountMail.ts';
import { nowSeconds } from './clock.ts';
import { forbidden } from './errors.ts';
import { rolesOf } from './roles.ts';
import type { SessionStore } from './sessions.ts';
import { checkEmailPolicy, checkPasswordPolicy, type Vault } from './vault.ts';
import {
  claimPendingRegistration,
  confirmEmailChange as confirmEmailChangeLink,
  createEmailChange,
  createPendingRegistration,
  createVerifiedIdentity,
  deleteExpiredRegistrations,
  matchesPendingRegistration,
  renewPendingRegistration,
  type AddressLinkResult,
  type PendingRegistrationResult,
} from './vaultLinks.ts';

/** Ratings a new member gives before personal recommendations start. */
export const ONBOARDING_RATINGS = 15;

export interface RegisterInput {
  email: string;
  password: string;
  researchConsent?: boolean;
}

export interface MemberSummary {
  id: number;
  username: string | null;
  onboarded: boolean;
  ratingsCount: number;
  roles: string[];
}

const MAX_MEMBER_ID = 2 ** 31 - 1;

/** A random positive 31-bit id not in use (ids must not reveal sign-up order). */
async function freshMemberId(db: Db): Promise<number> {
  for (;;) {
    const id = randomInt(1, MAX_MEMBER_ID);
    const taken = await db.kysely
      .selectFrom('users')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst();
    if (!taken) return id;
  }
}

export function newUnsubscribeToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Creates a member directly, as verified (the command line, the demo, benchmarks): a users row
 * (origin 'signup'), private-by-default privacy settings and the vault identity. Returns the
 * new id, or null when the e-mail is already registered (nothing is left behind). Throws
 * an `invalid` ServiceError for a bad e-mail or password. The web site uses startRegistration.
 */
export async function registerMember(
  db: Db,
  vault: Vault,
  input: RegisterInput,
): Promise<number | null> {
  checkEmailPolicy(input.email);
  checkPasswordPolicy(input.password);
  if ((await vault.findMember(db, input.email)) !== null) {
    // Spend the hashing time anyway so the answer's timing does not tell.
    await vault.hashPassword(input.password);
    return null;
  }
  return createMember(db, Boolean(input.researchConsent), (id) =>
    vault.createIdentity(db, id, input.email, input.password),
  );
}

/**
 * Inserts a users row under a fresh random id, lets `storeIdentity` write the vault identity,
 * then the privacy settings. Null (the row removed again) when storeIdentity says the e-mail is
 * taken.
 */
async function createMember(
  db: Db,
  researchConsent: boolean,
  storeIdentity: (id: number) => Promise<boolean>,
): Promise<number | null> {
  const now = nowSeconds();
  let id: number;
  for (let attempt = 0; ; attempt++) {
    id = await freshMemberId(db);
    try {
      await db.kysely
        .insertInto('users')
        .values({
          id,
          created_at: now,
          gender: null,
          age: null,
          occupation: null,
          zip: null,
          origin: 'signup',
          research_consent: researchConsent ? 1 : 0,
        })
        .execute();
      break;
    } catch (error) {
      if (attempt > 5) throw error;
    }
  }
  try {
    if (!(await storeIdentity(id))) {
      await db.kysely.deleteFrom('users').where('id', '=', id).execute();
      return null;
    }
    await db.kysely
      .insertInto('privacy_settings')
      .values({
        user_id: id,
        username: null,
        ratings_visibility: 'private',
        email_updates: 0,
        unsubscribe_token: newUnsubscribeToken(),
        updated_at: now,
      })
      .execute();
  } catch (error) {
    await db.kysely.deleteFrom('users').where('id', '=', id).execute();
    throw error;
  }
  return id;
}

/** Sign-up links live one day and work once; unfollowed sign-ups are deleted after that. */
export const VERIFY_LINK_SECONDS = 24 * 3600;

/**
 * A web sign-up: creates no member yet. For a new address it returns a link token to mail
 * (following it creates the member: completeRegistration); for a registered address, the member
 * to tell. Both paths do the same work (an argon2 hash and one row), so neither the answer nor
 * its timing tells which. Throws an `invalid` ServiceError for a bad e-mail or password.
 */
export async function startRegistration(
  db: Db,
  vault: Vault,
  input: RegisterInput,
): Promise<PendingRegistrationResult> {
  checkEmailPolicy(input.email);
  checkPasswordPolicy(input.password);
  const now = nowSeconds();
  await deleteExpiredRegistrations(db, now);
  return createPendingRegistration(vault, db, input.email, input.password, {
    researchConsent: Boolean(input.researchConsent),
    now,
    expiresAt: now + VERIFY_LINK_SECONDS,
  });
}

/** Following a sign-up link: the new member, a wrong password (tries left), or a dead link. */
export type CompletedRegistration =
  | { kind: 'member'; userId: number }
  | { kind: 'wrong-password'; triesLeft: number }
  | { kind: 'unknown' };

/**
 * Follows a sign-up link with the password chosen at sign-up (so that a stranger's sign-up with
 * your address cannot hand you an account whose password they know): creates the member,
 * verified, with that password. A wrong password leaves the link working for a few more tries;
 * 'unknown' (nothing created) when the link is unknown, expired, used or out of tries, or the
 * address got an account meanwhile.
 */
export async function completeRegistration(
  db: Db,
  vault: Vault,
  token: string,
  password: string,
): Promise<CompletedRegistration> {
  const now = nowSeconds();
  const result = await claimPendingRegistration(vault, db, token, password, now);
  if (result.kind !== 'claimed') return result;
  const { claim } = result;
  const userId = await createMember(db, claim.researchConsent, (id) =>
    createVerifiedIdentity(vault, db, id, claim, now),
  );
  return userId === null ? { kind: 'unknown' } : { kind: 'member', userId };
}

/** Change-of-address links live one day and work once. */
export const EMAIL_CHANGE_LINK_SECONDS = 24 * 3600;

/**
 * A member asks to move their account to `email` (the caller has checked their password): for
 * an address without an account, a link token to mail there (following it switches the
 * address: confirmEmailChange); for an address that has an account, the holder to tell (nothing
 * changes). Throws an `invalid` ServiceError for a bad e-mail.
 */
export function requestEmailChange(
  db: Db,
  vault: Vault,
  userId: number,
  email: string,
): Promise<AddressLinkResult> {
  const now = nowSeconds();
  return createEmailChange(vault, db, userId, email, {
    now,
    expiresAt: now + EMAIL_CHANGE_LINK_SECONDS,
  });
}

/**
 * Follows a change-of-address link: the member's address is switched; returns the member and
 * the address they had (for a notice), or null when the link is unknown, expired or used.
 */
export function confirmEmailChange(
  db: Db,
  vault: Vault,
  token: string,
): Promise<{ userId: number; previousEmail: string } | null> {
  return confirmEmailChangeLink(vault, db, token, nowSeconds());
}

/**
 * A fresh sign-up link for the address's newest pending sign-up (the previous link of that
 * sign-up stops working), or null when there is none or the address has an account.
 */
export async function renewRegistration(
  db: Db,
  vault: Vault,
  email: string,
): Promise<string | null> {
  const now = nowSeconds();
  return renewPendingRegistration(vault, db, email, now + VERIFY_LINK_SECONDS, now);
}

/** True when `password` is the one typed at one of the address's pending sign-ups. */
export function isPendingRegistration(
  db: Db,
  vault: Vault,
  email: string,
  password: string,
): Promise<boolean> {
  return matchesPendingRegistration(vault, db, email, password, nowSeconds());
}

/** The member as the API shows them (never an e-mail). Null when the id is unknown. */
export async function memberSummary(db: Db, userId: number): Promise<MemberSummary | null> {
  const user = await db.kysely
    .selectFrom('users')
    .leftJoin('privacy_settings', 'privacy_settings.user_id', 'users.id')
    .select(['users.id', 'privacy_settings.username'])
    .where('users.id', '=', userId)
    .executeTakeFirst();
  if (!user) return null;
  const count = await db.kysely
    .selectFrom('ratings')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  const ratingsCount = Number(count.n);
  return {
    id: user.id,
    username: user.username ?? null,
    onboarded: ratingsCount >= ONBOARDING_RATINGS,
    ratingsCount,
    roles: await rolesOf(db, userId),
  };
}

/** Reset links live one hour and work once. */
export const RESET_TOKEN_SECONDS = 3600;

/**
 * Creates a single-use reset token for the e-mail's member, if any; returns the token (to be
 * mailed) and the member id, or null when the e-mail is not registered.
 */
export async function createPasswordReset(
  db: Db,
  vault: Vault,
  email: string,
): Promise<{ userId: number; token: string } | null> {
  const userId = await vault.findMember(db, email);
  if (userId === null) return null;
  const token = randomBytes(32).toString('base64url');
  const now = nowSeconds();
  await db.kysely
    .insertInto('password_resets')
    .values({
      token_hash: hashResetToken(token),
      user_id: userId,
      created_at: now,
      expires_at: now + RESET_TOKEN_SECONDS,
      used_at: null,
    })
    .execute();
  return { userId, token };
}

function hashResetToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Sets a new password with a reset token; returns the member id, or null (nothing changed) when
 * the token is unknown, used or expired. Throws an `invalid` ServiceError for a bad password.
 */
export async function confirmPasswordReset(
  db: Db,
  vault: Vault,
  token: string,
  password: string,
): Promise<number | null> {
  checkPasswordPolicy(password);
  const now = nowSeconds();
  const hash = hashResetToken(token);
  const row = await db.kysely
    .selectFrom('password_resets')
    .selectAll()
    .where('token_hash', '=', hash)
    .executeTakeFirst();
  if (!row || row.used_at !== null || Number(row.expires_at) <= now) return null;
  // Claim the token first, so two concurrent uses cannot both succeed.
  const claimed = await db.kysely
    .updateTable('password_resets')
    .set({ used_at: now })
    .where('token_hash', '=', hash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) return null;
  await vault.setPassword(db, row.user_id, password);
  // Every other outstanding link of the member dies with this one.
  await db.kysely
    .updateTable('password_resets')
    .set({ used_at: now })
    .where('user_id', '=', row.user_id)
    .where('used_at', 'is', null)
    .execute();
  return row.user_id;
}

export interface AccountChange {
  currentPassword: string;
  email?: string;
  newPassword?: string;
}

/**
 * A member changes their e-mail address or password, proving the current password (forbidden
 * otherwise, and nothing changes). A new password applies at once and logs out every other
 * session; a new address is only asked for (AccountMail.requestEmailChange mails the link).
 */
export async function changeAccount(
  services: { db: Db; vault: Vault; accountMail: AccountMail; sessions: SessionStore },
  memberId: number,
  session: { tokenHash: string },
  change: AccountChange,
): Promise<void> {
  const { db, vault, accountMail, sessions } = services;
  if (!(await vault.checkPassword(db, memberId, change.currentPassword))) {
    throw forbidden('currentPassword: the current password is wrong', [
      { path: 'currentPassword', message: 'wrong' },
    ]);
  }
  if (change.email !== undefined) await accountMail.requestEmailChange(memberId, change.email);
  if (change.newPassword !== undefined) {
    await vault.setPassword(db, memberId, change.newPassword);
    // Anyone else logged in as this member (with the old password) is logged out.
    await sessions.destroyOthers(memberId, session.tokenHash);
  }
}
