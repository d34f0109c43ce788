/**
 * The session cookie: HttpOnly, SameSite=Lax, path /, 30 days. Over HTTPS (TLS here, or a proxy
 * trusted with TRUST_PROXY that says so) it is `__Host-lenslab_session` and Secure: the prefix
 * makes the browser refuse it unless it is Secure, for this host only and for every path, so a
 * sibling subdomain or a plain-HTTP page cannot plant or overwrite a session.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE, SESSION_LIFETIME_SECONDS } from '../services/sessions.ts';

export function sessionCookieName(request: FastifyRequest): string {
  return request.protocol === 'https' ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE;
}

export function readSessionCookie(request: FastifyRequest): string | undefined {
  return request.cookies[sessionCookieName(request)];
}

export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
): void {
  reply.setCookie(sessionCookieName(request), token, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: request.protocol === 'https',
    maxAge: SESSION_LIFETIME_SECONDS,
  });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(sessionCookieName(request), {
    path: '/',
    secure: request.protocol === 'https',
  });
}
