/**
 * Web members: registration, login, profile facts. Identity (e-mail, password) goes through the
 * vault; this module only ever handles the numeric pseudonymous id.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { Db } from '../db/connection.ts';
import { nowSeconds } from './clock.ts';
import { rolesOf } from './roles.ts';
import { checkEmailPolicy, checkPasswordPolicy, type Vault } from './vault.ts';

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
 * Registers a member: a users row (origin 'signup'), private-by-default privacy settings and the
 * vault identity. Returns the new id, or null when the e-mail is already registered (nothing is
 * left behind). Throws CredentialPolicyError for a bad e-mail or password.
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
          research_consent: input.researchConsent ? 1 : 0,
        })
        .execute();
      break;
    } catch (error) {
      if (attempt > 5) throw error;
    }
  }
  try {
    if (!(await vault.createIdentity(db, id, input.email, input.password))) {
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
 * the token is unknown, used or expired. Throws CredentialPolicyError for a bad password.
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
