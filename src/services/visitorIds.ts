/**
 * Anonymous visitors: a random cookie id (128 random bits, nothing about the visitor in it); a
 * cookie that does not look like one of ours (an e-mail, an IP address) is ignored, never logged.
 */
import { randomBytes } from 'node:crypto';

/** The cookie that carries an anonymous visitor's id. */
export const VISITOR_COOKIE = 'lenslab_visitor';
const VISITOR_ID_PATTERN = /^v_[A-Za-z0-9_-]{22}$/;

const VISITOR_ID_BYTES = 16;
/** Random bytes drawn 256 ids at a time: one call into the CSPRNG costs as much as the 256. */
let visitorIdPool = Buffer.alloc(0);
let visitorIdPoolOffset = 0;

/** A fresh random visitor id (128 random bits): nothing about the visitor goes into it. */
export function newVisitorId(): string {
  if (visitorIdPoolOffset + VISITOR_ID_BYTES > visitorIdPool.length) {
    visitorIdPool = randomBytes(256 * VISITOR_ID_BYTES);
    visitorIdPoolOffset = 0;
  }
  const bytes = visitorIdPool.subarray(visitorIdPoolOffset, visitorIdPoolOffset + VISITOR_ID_BYTES);
  visitorIdPoolOffset += VISITOR_ID_BYTES;
  return `v_${bytes.toString('base64url')}`;
}

/** True for ids made by `newVisitorId`; anything else in the cookie is ignored, never logged. */
export function isVisitorId(value: unknown): value is string {
  return typeof value === 'string' && VISITOR_ID_PATTERN.test(value);
}

/**
 * The visitor id for a request without a session: the cookie's value when it is one of ours,
 * else a fresh one (`isNew`: set the cookie, e.g. HttpOnly, SameSite=Lax, a year).
 */
export function visitorIdFrom(cookie: string | undefined | null): { id: string; isNew: boolean } {
  return isVisitorId(cookie) ? { id: cookie, isNew: false } : { id: newVisitorId(), isNew: true };
}
