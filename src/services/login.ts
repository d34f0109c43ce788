/**
 * Logging in, with wrong passwords throttled per account *and source* (the client's IP address):
 * a source that failed `FREE_FAILURES` times on an account waits 1 s before its next try, then
 * 2 s, 4 s … up to 15 minutes, and its count is forgotten 15 minutes after its first failure or
 * at its next success. Nobody can lock an owner out: failures from other sources never slow a
 * source that has not failed. (Each source is also held to the per-IP limit of logins a minute.)
 * Counters live in the database (src/services/throttles.ts), shared by every server process.
 */
import type { Db } from '../db/connection.ts';
import { isPendingRegistration } from './accounts.ts';
import type { Throttles } from './throttles.ts';
import type { Vault } from './vault.ts';

export const FREE_FAILURES = 3;
export const FAILURE_WINDOW_MS = 15 * 60_000;
const MAX_DELAY_MS = 15 * 60_000;
const SCOPE = 'login-failures';

export type LoginResult =
  | { kind: 'member'; userId: number }
  /** Unknown address or wrong password (the caller must not tell which). */
  | { kind: 'wrong' }
  /** The password of a sign-up whose link was not followed yet. */
  | { kind: 'pending' }
  /** This source failed too often on this account: try again later (the password was not checked). */
  | { kind: 'throttled'; retryAfterSeconds: number };

/** How long a source waits after its `failures`-th failure before its next try. */
export function failureDelayMs(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(1000 * 2 ** (failures - FREE_FAILURES), MAX_DELAY_MS);
}

export async function logIn(
  db: Db,
  vault: Vault,
  throttles: Throttles,
  attempt: { email: string; password: string; source: string },
  now = Date.now(),
): Promise<LoginResult> {
  const key = vault.throttleKey(attempt.email, attempt.source);
  const { hits, lastAt } = await throttles.peek(SCOPE, key, FAILURE_WINDOW_MS, now);
  const wait = lastAt === null ? 0 : lastAt + failureDelayMs(hits) - now;
  if (wait > 0) return { kind: 'throttled', retryAfterSeconds: Math.ceil(wait / 1000) };
  const userId = await vault.authenticate(db, attempt.email, attempt.password);
  if (userId !== null) {
    if (hits > 0) await throttles.clear(SCOPE, key);
    return { kind: 'member', userId };
  }
  if (await isPendingRegistration(db, vault, attempt.email, attempt.password))
    return { kind: 'pending' };
  await throttles.hit(SCOPE, key, FAILURE_WINDOW_MS, now);
  return { kind: 'wrong' };
}
