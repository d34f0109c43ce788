/** Register, log in, log out, password reset, and the session endpoint. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  confirmPasswordReset,
  createPasswordReset,
  memberSummary,
  registerMember,
} from '../../services/accounts.ts';
import { unsubscribeToken } from '../../services/privacy.ts';
import { SESSION_COOKIE, SESSION_LIFETIME_SECONDS, randomToken } from '../../services/sessions.ts';
import { baseUrl, type Services } from '../context.ts';
import { HttpProblem } from '../problem.ts';
import { Email, LoggedIn, Password, Problem, SessionInfo } from '../schemas.ts';
import { eventActor, logEvent } from '../eventHooks.ts';

const WRONG_CREDENTIALS = 'e-mail or password is wrong';
const FAILURE_WINDOW_MS = 15 * 60 * 1000;

/** Failed logins per account (keyed by the e-mail's blind index, never the e-mail). */
class FailureCounter {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(private readonly limit: number) {}

  locked(key: string): boolean {
    const entry = this.failures.get(key);
    if (!entry) return false;
    if (Date.now() - entry.since > FAILURE_WINDOW_MS) {
      this.failures.delete(key);
      return false;
    }
    return entry.count >= this.limit;
  }

  fail(key: string): void {
    const entry = this.failures.get(key);
    if (!entry || Date.now() - entry.since > FAILURE_WINDOW_MS)
      this.failures.set(key, { count: 1, since: Date.now() });
    else entry.count++;
    if (this.failures.size > 100_000) this.failures.clear();
  }

  clear(key: string): void {
    this.failures.delete(key);
  }
}

/** Starts a fresh session (rotating any previous one) and sets the cookie. */
export async function startSession(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  userId: number,
) {
  if (request.session) await services.sessions.destroy(request.session.tokenHash);
  const { token, session } = await services.sessions.create(userId);
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: request.protocol === 'https',
    maxAge: SESSION_LIFETIME_SECONDS,
  });
  request.session = session;
  const member = await memberSummary(services.db, userId);
  if (!member) throw new Error(`member ${userId} vanished while logging in`);
  return { member, csrfToken: session.csrfToken };
}

export const registerAuthRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  const failures = new FailureCounter(services.rateLimits.loginFailuresPerAccount);

  app.post(
    '/api/auth/register',
    {
      config: { rateLimit: { max: services.rateLimits.registerPerMinute, timeWindow: 60_000 } },
      schema: {
        tags: ['auth'],
        summary: 'Create an account and log in',
        description:
          'Creates a member (origin "signup") with the e-mail as login name, and logs in (201). When the e-mail is already registered nothing is created, the owner is told by e-mail, and the answer is 202.',
        body: z.object({
          email: Email,
          password: Password,
          researchConsent: z
            .boolean()
            .optional()
            .describe('include my ratings in research datasets (default false)'),
        }),
        response: {
          201: LoggedIn,
          202: z.object({ status: z.literal('check-your-email') }),
          400: Problem,
          429: Problem,
        },
      },
    },
    async (request, reply) => {
      const { email, password, researchConsent } = request.body;
      const userId = await registerMember(services.db, services.vault, {
        email,
        password,
        researchConsent,
      });
      if (userId === null) {
        // Tell the owner, in the background (the answer must not wait on mail).
        const owner = await services.vault.findMember(services.db, email);
        if (owner !== null) void notifyOwner(services, request, owner);
        return reply.code(202).send({ status: 'check-your-email' as const });
      }
      return reply.code(201).send(await startSession(services, request, reply, userId));
    },
  );

  app.post(
    '/api/auth/login',
    {
      config: { rateLimit: { max: services.rateLimits.loginPerMinute, timeWindow: 60_000 } },
      schema: {
        tags: ['auth'],
        summary: 'Log in (rotates the session)',
        body: z.object({ email: Email, password: Password }),
        response: { 200: LoggedIn, 400: Problem, 401: Problem, 429: Problem },
      },
    },
    async (request, reply) => {
      const { email, password } = request.body;
      const key = services.vault.blindIndex(email);
      if (failures.locked(key)) {
        logEvent(services, {
          kind: 'login_failed',
          reason: 'rate-limited',
          ...eventActor(request),
        });
        throw new HttpProblem(
          429,
          'too many failed attempts for this account; wait 15 minutes or reset the password',
        );
      }
      const userId = await services.vault.authenticate(services.db, email, password);
      if (userId === null) {
        failures.fail(key);
        logEvent(services, {
          kind: 'login_failed',
          reason: 'wrong-credentials',
          ...eventActor(request),
        });
        throw new HttpProblem(401, WRONG_CREDENTIALS);
      }
      failures.clear(key);
      logEvent(services, { kind: 'login', memberId: userId });
      return reply.send(await startSession(services, request, reply, userId));
    },
  );

  app.post(
    '/api/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'Log out (destroys the session)',
        response: { 204: z.undefined() },
      },
    },
    async (request, reply) => {
      if (request.session) await services.sessions.destroy(request.session.tokenHash);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/auth/password-reset',
    {
      config: {
        rateLimit: { max: services.rateLimits.passwordResetPerMinute, timeWindow: 60_000 },
      },
      schema: {
        tags: ['auth'],
        summary: 'Mail a password reset link (always 202)',
        description:
          'The link (/reset-password?token=…) works once, for one hour. The answer is the same whether or not the e-mail is registered.',
        body: z.object({ email: Email }),
        response: {
          202: z.object({ status: z.literal('check-your-email') }),
          400: Problem,
          429: Problem,
        },
      },
    },
    async (request, reply) => {
      void sendReset(services, request, request.body.email);
      return reply.code(202).send({ status: 'check-your-email' as const });
    },
  );

  app.post(
    '/api/auth/password-reset/confirm',
    {
      schema: {
        tags: ['auth'],
        summary: 'Set a new password with a reset token (logs out every session)',
        body: z.object({ token: z.string().min(1).max(200), password: Password }),
        response: { 204: z.undefined(), 400: Problem },
      },
    },
    async (request, reply) => {
      const userId = await confirmPasswordReset(
        services.db,
        services.vault,
        request.body.token,
        request.body.password,
      );
      if (userId === null) {
        throw new HttpProblem(
          400,
          'token: this reset link is unknown, expired or already used; ask for a new one',
          [{ path: 'token', message: 'unknown, expired or used' }],
        );
      }
      await services.sessions.destroyAll(userId);
      if (request.session?.userId === userId) reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/session',
    {
      schema: {
        tags: ['auth'],
        summary: 'The logged-in member (or null) and the CSRF token',
        response: { 200: SessionInfo },
      },
    },
    async (request) => {
      if (!request.session) return { member: null, csrfToken: randomToken(24) };
      const member = await memberSummary(services.db, request.session.userId);
      return { member, csrfToken: request.session.csrfToken };
    },
  );
};

async function sendReset(
  services: Services,
  request: FastifyRequest,
  email: string,
): Promise<void> {
  try {
    const reset = await createPasswordReset(services.db, services.vault, email);
    if (!reset) return;
    const base = baseUrl(services, request);
    await services.mailer.send({
      to: (await services.vault.emailOf(services.db, reset.userId)) ?? email,
      subject: 'Reset your lenslab password',
      text:
        `Someone (hopefully you) asked to reset the password of your lenslab account.\n\n` +
        `Choose a new password here (the link works once, for one hour):\n${base}/reset-password?token=${reset.token}\n\n` +
        `If you did not ask for this, ignore this message; your password stays as it is.`,
      unsubscribeUrl: `${base}/api/unsubscribe?token=${await unsubscribeToken(services.db, reset.userId)}`,
    });
  } catch (error) {
    services.log(`mail: could not send a password reset: ${(error as Error).message}`);
  }
}

async function notifyOwner(
  services: Services,
  request: FastifyRequest,
  userId: number,
): Promise<void> {
  try {
    const email = await services.vault.emailOf(services.db, userId);
    if (!email) return;
    const base = baseUrl(services, request);
    await services.mailer.send({
      to: email,
      subject: 'Someone tried to sign up to lenslab with your address',
      text:
        `Someone (maybe you) tried to create a lenslab account with this e-mail address, which already has an account.\n\n` +
        `If it was you, log in at ${base}/login, or choose a new password at ${base}/reset-password.\n` +
        `If it was not you, nothing changed and you need not do anything.`,
      unsubscribeUrl: `${base}/api/unsubscribe?token=${await unsubscribeToken(services.db, userId)}`,
    });
  } catch (error) {
    services.log(`mail: could not send a sign-up notice: ${(error as Error).message}`);
  }
}
