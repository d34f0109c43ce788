/**
 * Server-side sessions. The cookie carries 32 random bytes; the database keeps only their
 * SHA-256, the member id, the session's CSRF token and its expiry. Sessions are rotated on login
 * (a new token every time) and destroyed on logout, password reset and account deletion.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { Database } from '../db/schema.ts';
import { writeNote } from './changeLog.ts';
import { nowSeconds } from './clock.ts';

export const SESSION_COOKIE = 'lenslab_session';
/** Sessions last 30 days from the last visit. */
export const SESSION_LIFETIME_SECONDS = 30 * 24 * 3600;
/** How long a looked-up session is trusted from memory before the database is asked again. */
const CACHE_SECONDS = 30;
const CACHE_LIMIT = 50_000;

export interface Session {
  tokenHash: string;
  userId: number;
  csrfToken: string;
  expiresAt: number;
}

interface CachedSession extends Session {
  checkedAt: number;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Constant-time string comparison (for tokens). */
export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class SessionStore {
  private readonly cache = new Map<string, CachedSession>();

  constructor(
    private readonly db: Db,
    /**
     * The app node whose change-log notes tell the other nodes to forget sessions that ended
     * (they trust a looked-up session from memory for CACHE_SECONDS); null: no notes.
     */
    private readonly node: string | null = null,
  ) {}

  /** A new session for the member; returns the cookie token and the CSRF token. */
  async create(userId: number): Promise<{ token: string; session: Session }> {
    const token = randomToken();
    const now = nowSeconds();
    const session: Session = {
      tokenHash: hashToken(token),
      userId,
      csrfToken: randomToken(24),
      expiresAt: now + SESSION_LIFETIME_SECONDS,
    };
    await this.db.kysely
      .insertInto('sessions')
      .values({
        token_hash: session.tokenHash,
        user_id: userId,
        csrf_token: session.csrfToken,
        created_at: now,
        last_seen_at: now,
        expires_at: session.expiresAt,
      })
      .execute();
    return { token, session };
  }

  /** The live session of a cookie token, or null (unknown or expired). */
  async lookup(token: string): Promise<Session | null> {
    if (token.length < 20 || token.length > 100) return null;
    const tokenHash = hashToken(token);
    const now = nowSeconds();
    const cached = this.cache.get(tokenHash);
    if (cached && now - cached.checkedAt < CACHE_SECONDS && cached.expiresAt > now) return cached;
    const row = await this.db.kysely
      .selectFrom('sessions')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row || row.expires_at <= now) {
      this.cache.delete(tokenHash);
      if (row)
        await this.db.kysely.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
      return null;
    }
    let expiresAt = row.expires_at;
    // Sliding expiry, written at most once an hour.
    if (now - row.last_seen_at > 3600) {
      expiresAt = now + SESSION_LIFETIME_SECONDS;
      await this.db.kysely
        .updateTable('sessions')
        .set({ last_seen_at: now, expires_at: expiresAt })
        .where('token_hash', '=', tokenHash)
        .execute();
    }
    const session: CachedSession = {
      tokenHash,
      userId: row.user_id,
      csrfToken: row.csrf_token,
      expiresAt,
      checkedAt: now,
    };
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(tokenHash, session);
    return session;
  }

  async destroy(session: Pick<Session, 'tokenHash' | 'userId'>): Promise<void> {
    this.cache.delete(session.tokenHash);
    await this.ending(session.userId, (trx) =>
      trx.deleteFrom('sessions').where('token_hash', '=', session.tokenHash).execute(),
    );
  }

  /** Ends every session of a member (password reset). */
  async destroyAll(userId: number): Promise<void> {
    this.forget(userId);
    await this.ending(userId, (trx) =>
      trx.deleteFrom('sessions').where('user_id', '=', userId).execute(),
    );
  }

  /** Ends every other session of a member (after a password change). */
  async destroyOthers(userId: number, keepTokenHash: string): Promise<void> {
    for (const [hash, session] of this.cache) {
      if (session.userId === userId && hash !== keepTokenHash) this.cache.delete(hash);
    }
    await this.ending(userId, (trx) =>
      trx
        .deleteFrom('sessions')
        .where('user_id', '=', userId)
        .where('token_hash', '<>', keepTokenHash)
        .execute(),
    );
  }

  /** Deletes sessions of the member, with the note that makes the other nodes forget them. */
  private async ending(
    userId: number,
    remove: (trx: Kysely<Database>) => Promise<unknown>,
  ): Promise<void> {
    const node = this.node;
    if (node === null) {
      await remove(this.db.kysely);
      return;
    }
    await this.db.kysely.transaction().execute(async (trx) => {
      await remove(trx);
      await writeNote(trx, node, { kind: 'sessions', memberId: userId });
    });
  }

  /** Forgets cached sessions of a member whose sessions were removed by other means. */
  forget(userId: number): void {
    for (const [hash, session] of this.cache)
      if (session.userId === userId) this.cache.delete(hash);
  }

  /** Deletes expired sessions. */
  async sweep(): Promise<number> {
    const result = await this.db.kysely
      .deleteFrom('sessions')
      .where('expires_at', '<=', nowSeconds())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
