/** What every route plugin can reach: the services, and the request's session. */
import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/connection.ts';
import type { Catalog } from '../services/catalog.ts';
import type { Mailer } from '../services/mail.ts';
import type { Recommender } from '../services/recommendations.ts';
import type { Session, SessionStore } from '../services/sessions.ts';
import type { Vault } from '../services/vault.ts';
import { notLoggedIn } from './problem.ts';

export interface RateLimits {
  /** Login attempts per IP address per minute. */
  loginPerMinute: number;
  /** Failed logins per account (by blind index) per 15 minutes before it is locked for the rest of them. */
  loginFailuresPerAccount: number;
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
  rateLimits: RateLimits;
  /** Base URL for links in e-mails; else taken from the request. */
  publicUrl: string | null;
  log: (message: string) => void;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
  interface FastifyRequest {
    session: Session | null;
  }
}

/** The logged-in member's id, or a 401 problem. */
export function requireMember(request: FastifyRequest): number {
  if (!request.session) throw notLoggedIn();
  return request.session.userId;
}

export function memberId(request: FastifyRequest): number | null {
  return request.session?.userId ?? null;
}

/** Where links in e-mails point: PUBLIC_URL, else the address the request came to. */
export function baseUrl(services: Services, request: FastifyRequest): string {
  if (services.publicUrl) return services.publicUrl.replace(/\/+$/, '');
  return `${request.protocol}://${request.host}`;
}
