/**
 * Counters that limit what anyone may repeat (mails to one address, failed logins from one source
 * on one account). They live in the database so that every server process on it shares them: N
 * processes do not multiply a limit by N. A counter counts hits in a window that starts at its
 * first hit and lasts `windowMs`; the next hit after that starts a new window. Keys are HMACs made
 * by the vault (`Vault.throttleKey`), never an e-mail or IP address in the clear.
 */
import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';

export interface ThrottleState {
  /** Hits in the current window. */
  hits: number;
  /** Unix ms of the latest hit, or null. */
  lastAt: number | null;
}

/** Rows untouched for a day are deleted by `sweep` (every window is shorter). */
const KEEP_MS = 24 * 3600 * 1000;

export class Throttles {
  constructor(private readonly db: Db) {}

  /** The counter as it stands at `now` (a window that has ended counts 0). */
  async peek(scope: string, key: string, windowMs: number, now: number): Promise<ThrottleState> {
    const row = await this.db.kysely
      .selectFrom('throttles')
      .select(['hits', 'window_start', 'last_at'])
      .where('scope', '=', scope)
      .where('key', '=', key)
      .executeTakeFirst();
    if (!row || row.window_start <= now - windowMs)
      return { hits: 0, lastAt: row?.last_at ?? null };
    return { hits: row.hits, lastAt: row.last_at };
  }

  /**
   * Adds one hit, atomically (one upsert, so concurrent requests on any process count each
   * other), and returns the count in the current window.
   */
  async hit(scope: string, key: string, windowMs: number, now: number): Promise<number> {
    return (await this.hitWindow(scope, key, windowMs, now)).hits;
  }

  /** `hit`, also returning when the current window began (Unix ms). */
  async hitWindow(
    scope: string,
    key: string,
    windowMs: number,
    now: number,
  ): Promise<{ hits: number; windowStart: number }> {
    const expired = sql<boolean>`throttles.window_start <= ${now - windowMs}`;
    const row = await this.db.kysely
      .insertInto('throttles')
      .values({ scope, key, hits: 1, window_start: now, last_at: now })
      .onConflict((conflict) =>
        conflict.columns(['scope', 'key']).doUpdateSet({
          hits: sql<number>`CASE WHEN ${expired} THEN 1 ELSE throttles.hits + 1 END`,
          window_start: sql<number>`CASE WHEN ${expired} THEN ${now} ELSE throttles.window_start END`,
          last_at: now,
        }),
      )
      .returning(['hits', 'window_start'])
      .executeTakeFirstOrThrow();
    return { hits: row.hits, windowStart: Number(row.window_start) };
  }

  async clear(scope: string, key: string): Promise<void> {
    await this.db.kysely
      .deleteFrom('throttles')
      .where('scope', '=', scope)
      .where('key', '=', key)
      .execute();
  }

  /** Deletes counters nobody touched for a day. */
  async sweep(now: number): Promise<void> {
    await this.db.kysely
      .deleteFrom('throttles')
      .where('last_at', '<', now - KEEP_MS)
      .execute();
  }
}
