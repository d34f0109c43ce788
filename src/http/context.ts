/** What every route plugin can reach: the services, and the request's session. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/connection.ts';
import type { AccountMail } from '../services/accountMail.ts';
import type { AnnouncementJobs } from '../services/announcementJob.ts';
import type { Catalog } from '../services/catalog.ts';
import { unauthenticated } from '../services/errors.ts';
import type { Mailer } from '../services/mail.ts';
import type { MemberChanges } from '../services/memberChanges.ts';
import type { Recommender } from '../services/recommendations.ts';
import type { Session, SessionStore } from '../services/sessions.ts';
import type { Throttles } from '../services/throttles.ts';
import type { Vault } from '../services/vault.ts';
import type { ResearchServices } from './research.ts';

export interface RateLimits {
  /** Login attempts per IP address per minute. */
  loginPerMinute: number;
  registerPerMinute: number;
  passwordResetPerMinute: number;
}

export interface Services {
  db: Db;
  vault: Vault;
  sessions: SessionStore;
  catalog: Catalog;
  recommender: Recommender;
  mailer: Mailer;
  accountMail: AccountMail;
  /** The send job of announcements (one at a time, resumed at start). */
  announcements: AnnouncementJobs;
  throttles: Throttles;
  /**
   * Listeners of ratings, account deletions and the other changes made through this node or
   * another one (catalog, recommenders, sessions, event log); `changes.node` is this node's id.
   */
  changes: MemberChanges;
  /** Experiments, event log, variant models, model runs, releases: one set per server. */
  research: ResearchServices;
  rateLimits: RateLimits;
  /**
   * Base URL of links in e-mails (no trailing slash): PUBLIC_URL, else the address the server
   * listens on. Never taken from a request.
   */
  publicUrl: string;
  log: (message: string) => void;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
  interface FastifyRequest {
    session: Session | null;
    /** An anonymous visitor's cookie id (research events; see eventHooks.ts), or null. */
    visitorId: string | null;
  }
}

/**
 * The guard of a route area that needs a member: an `onRequest` hook on the encapsulated plugin
 * holding the area's routes (visitors get 401 before anything else runs).
 */
export function membersOnly(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (!request.session) throw unauthenticated();
  });
}

/** The logged-in member's id, on a route behind `membersOnly`. */
export function member(request: FastifyRequest): number {
  return request.session!.userId;
}

export function memberId(request: FastifyRequest): number | null {
  return request.session?.userId ?? null;
}

/**
 * PUBLIC_URL checked: an http(s) URL without query or fragment, returned without a trailing
 * slash. Throws naming `setting` otherwise.
 */
export function parsePublicUrl(value: string, setting = 'PUBLIC_URL'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${setting}: "${value}" is not a URL (e.g. https://lenslab.example.org)`);
  }
  if (
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.search ||
    url.hash ||
    url.username
  )
    throw new Error(
      `${setting}: "${value}" must be an http(s) URL without user, query or fragment (e.g. https://lenslab.example.org)`,
    );
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/**
 * TRUST_PROXY as Fastify's `trustProxy`: unset, "" or "false" → trust no proxy; "true" → trust
 * every hop; a whole number → trust that many hops; else a comma-separated list of proxy
 * addresses or CIDR ranges (e.g. "127.0.0.1,10.0.0.0/8").
 */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const text = (value ?? '').trim();
  if (text === '' || text === 'false') return false;
  if (text === 'true') return true;
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    return (_address, hop) => hop < hops;
  }
  return text;
}

export type TrustProxy = boolean | string | ((address: string, hop: number) => boolean);
