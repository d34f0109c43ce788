/**
 * Register (confirmed by an e-mailed link and the password chosen at sign-up), log in, log out,
 * password reset, the change-of-address link, and the session endpoint. No answer tells whether
 * an e-mail address has an account.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { confirmPasswordReset, memberSummary } from '../../services/accounts.ts';
import { logIn } from '../../services/login.ts';
import { SIGNUP_PASSWORD_TRIES } from '../../services/vault.ts';
import { randomToken } from '../../services/sessions.ts';
import type { Services } from '../context.ts';
import { HttpProblem } from '../problem.ts';
import { Email, LoggedIn, Password, Problem, SessionInfo } from '../schemas.ts';
import { clearSessionCookie, setSessionCookie } from '../sessionCookie.ts';
import { eventActor, logEvent } from '../eventHooks.ts';

const WRONG_CREDENTIALS = 'e-mail or password is wrong';
// Told only to whoever typed the password of a pending sign-up: they chose it, so they learn
// nothing new (a sign-up with a registered address answers the same way).
const NOT_CONFIRMED =
  'this sign-up is not confirmed yet: follow the link we e-mailed you, or ask for a new one';
const CheckYourEmail = z.object({ status: z.literal('check-your-email') });

/** Starts a fresh session (rotating any previous one) and sets the cookie. */
export async function startSession(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  userId: number,
) {
  if (request.session) await services.sessions.destroy(request.session.tokenHash);
  const { token, session } = await services.sessions.create(userId);
  setSessionCookie(request, reply, token);
  request.session = session;
  const member = await memberSummary(services.db, userId);
  if (!member) throw new Error(`member ${userId} vanished while logging in`);
  return { member, csrfToken: session.csrfToken };
}

export const registerAuthRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  const { accountMail } = services;

  app.post(
    '/api/auth/register',
    {
      config: { rateLimit: { max: services.rateLimits.registerPerMinute, timeWindow: 60_000 } },
      schema: {
        tags: ['auth'],
        summary: 'Sign up: mails a link that creates the account (always 202)',
        description:
          'Always 202 with the same body, whether or not the e-mail is registered (the password is hashed either way). A new address gets a link (/verify-email?token=…, single use, 24 hours); following it creates the member (origin "signup") and logs in. A registered address gets a notice instead, and nothing is created. Until the link is followed, logging in with this password answers 403 "not confirmed yet".',
        body: z.object({
          email: Email,
          password: Password,
          researchConsent: z
            .boolean()
            .optional()
            .describe('include my ratings in research datasets (default false)'),
        }),
        response: { 202: CheckYourEmail, 400: Problem, 429: Problem },
      },
    },
    async (request, reply) => {
      await accountMail.signUp(request.body);
      return reply.code(202).send({ status: 'check-your-email' as const });
    },
  );

  app.post(
    '/api/auth/register/verify',
    {
      config: { rateLimit: { max: services.rateLimits.registerPerMinute, timeWindow: 60_000 } },
      schema: {
        tags: ['auth'],
        summary: 'Follow a sign-up link with the sign-up password: creates the member and logs in',
        description: `Needs the password chosen at sign-up, so that following a link mailed after a stranger's sign-up with your address cannot give you an account whose password the stranger knows. A wrong password answers 400 naming \`password\` and leaves the link working; after ${SIGNUP_PASSWORD_TRIES} wrong ones the link dies (400 naming \`token\`).`,
        body: z.object({ token: z.string().min(1).max(200), password: Password }),
        response: { 200: LoggedIn, 400: Problem, 429: Problem },
      },
    },
    async (request, reply) => {
      const { token, password } = request.body;
      const result = await accountMail.completeSignUp(token, password);
      if (result.kind === 'wrong-password') {
        throw new HttpProblem(
          400,
          result.triesLeft > 0
            ? `password: this is not the password chosen at sign-up; ${result.triesLeft} ${result.triesLeft === 1 ? 'try' : 'tries'} left`
            : 'password: this is not the password chosen at sign-up, and that was the last try: the link no longer works; sign up again',
          [{ path: 'password', message: 'not the password chosen at sign-up' }],
        );
      }
      if (result.kind === 'unknown') {
        throw new HttpProblem(
          400,
          'token: this sign-up link is unknown, expired or already used; sign up again or log in',
          [{ path: 'token', message: 'unknown, expired or used' }],
        );
      }
      const { userId } = result;
      logEvent(services, { kind: 'login', memberId: userId });
      return reply.send(await startSession(services, request, reply, userId));
    },
  );

  app.post(
    '/api/auth/register/resend',
    {
      config: { rateLimit: { max: services.rateLimits.registerPerMinute, timeWindow: 60_000 } },
      schema: {
        tags: ['auth'],
        summary: 'Mail the sign-up link again (always 202)',
        description:
          "Mails a new link for the address's newest pending sign-up (its previous link stops working). The answer is the same whether or not the address has a pending sign-up or an account.",
        body: z.object({ email: Email }),
        response: { 202: CheckYourEmail, 400: Problem, 429: Problem },
      },
    },
    async (request, reply) => {
      accountMail.resendSignupLink(request.body.email);
      return reply.code(202).send({ status: 'check-your-email' as const });
    },
  );

  app.post(
    '/api/auth/email-change/confirm',
    {
      config: { rateLimit: { max: services.rateLimits.registerPerMinute, timeWindow: 60_000 } },
      schema: {
        tags: ['auth'],
        summary: 'Follow a change-of-address link: the account moves to the new address',
        description:
          'The link (/confirm-email?token=…) is mailed to the new address by PATCH /api/me/account; it works once, for 24 hours, without logging in. The previous address gets a notice.',
        body: z.object({ token: z.string().min(1).max(200) }),
        response: {
          200: z.object({ status: z.literal('email-changed') }),
          400: Problem,
          429: Problem,
        },
      },
    },
    async (request) => {
      if (!(await accountMail.confirmEmailChange(request.body.token))) {
        throw new HttpProblem(
          400,
          'token: this link is unknown, expired or already used; ask for the change again on your account page',
          [{ path: 'token', message: 'unknown, expired or used' }],
        );
      }
      return { status: 'email-changed' as const };
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
        description:
          '401 "e-mail or password is wrong" for an unknown address or a wrong password alike; 403 when the password is the one of a sign-up whose link was not followed yet.',
        response: { 200: LoggedIn, 400: Problem, 401: Problem, 403: Problem, 429: Problem },
      },
    },
    async (request, reply) => {
      const result = await logIn(services.db, services.vault, services.throttles, {
        ...request.body,
        source: request.ip,
      });
      if (result.kind === 'member') {
        logEvent(services, { kind: 'login', memberId: result.userId });
        return reply.send(await startSession(services, request, reply, result.userId));
      }
      if (result.kind === 'pending') throw new HttpProblem(403, NOT_CONFIRMED);
      logEvent(services, {
        kind: 'login_failed',
        reason: result.kind === 'throttled' ? 'rate-limited' : 'wrong-credentials',
        ...eventActor(request),
      });
      if (result.kind === 'wrong') throw new HttpProblem(401, WRONG_CREDENTIALS);
      reply.header('retry-after', String(result.retryAfterSeconds));
      throw new HttpProblem(
        429,
        `too many wrong passwords from your address for this account: wait ${result.retryAfterSeconds} s, or reset the password`,
      );
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
      clearSessionCookie(request, reply);
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
        response: { 202: CheckYourEmail, 400: Problem, 429: Problem },
      },
    },
    async (request, reply) => {
      accountMail.requestPasswordReset(request.body.email);
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
      if (request.session?.userId === userId) clearSessionCookie(request, reply);
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
