/**
 * /api/auth: register (confirmed by an e-mailed link and the password chosen at sign-up), log
 * in, log out, password reset, the change-of-address link; and /api/session. No answer tells
 * whether an e-mail address has an account.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { confirmPasswordReset, memberSummary } from '../../services/accounts.ts';
import { forbidden, invalid, rateLimited, unauthenticated } from '../../services/errors.ts';
import { logIn } from '../../services/login.ts';
import { randomToken } from '../../services/sessions.ts';
import { SIGNUP_PASSWORD_TRIES } from '../../services/vaultLinks.ts';
import type { Services } from '../context.ts';
import { eventActor, logEvent } from '../eventHooks.ts';
import { Email, LoggedIn, Password, SessionInfo, problems } from '../schemas.ts';
import { clearSessionCookie, setSessionCookie } from '../sessionCookie.ts';

const WRONG_CREDENTIALS = 'e-mail or password is wrong';
// Told only to whoever typed the password of a pending sign-up: they chose it, so they learn
// nothing new (a sign-up with a registered address answers the same way).
const NOT_CONFIRMED =
  'this sign-up is not confirmed yet: follow the link we e-mailed you, or ask for a new one';
const CheckYourEmail = z.object({ status: z.literal('check-your-email') });

/** A link that does not work (any more): a 400 naming `token`. */
const deadLink = (message: string) =>
  invalid(`token: ${message}`, [{ path: 'token', message: 'unknown, expired or used' }]);

/** Logs the member in: a fresh session (rotating any previous one), the cookie, a login event. */
async function startSession(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  userId: number,
) {
  logEvent(services, { kind: 'login', memberId: userId });
  if (request.session) await services.sessions.destroy(request.session);
  const { token, session } = await services.sessions.create(userId);
  setSessionCookie(request, reply, token);
  request.session = session;
  const member = await memberSummary(services.db, userId);
  if (!member) throw new Error(`member ${userId} vanished while logging in`);
  return reply.send({ member, csrfToken: session.csrfToken });
}

const authRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  const { accountMail, rateLimits } = services;
  const perMinute = (max: number) => ({ rateLimit: { max, timeWindow: 60_000 } });

  /**
   * A route that answers 202 "check your e-mail" whatever the address (the mail, if any, goes
   * in the background): nothing in the answer tells whether the address has an account.
   */
  const checkYourEmail = <Body extends z.ZodType>(
    path: string,
    options: { max: number; summary: string; description: string; body: Body },
    start: (body: z.infer<Body>) => Promise<void> | void,
  ) =>
    app.post(
      path,
      {
        config: perMinute(options.max),
        schema: {
          tags: ['auth'],
          summary: options.summary,
          description: options.description,
          body: options.body,
          response: { 202: CheckYourEmail, ...problems(400, 429) },
        },
      },
      async (request, reply) => {
        await start(request.body as z.infer<Body>);
        return reply.code(202).send({ status: 'check-your-email' as const });
      },
    );

  checkYourEmail(
    '/register',
    {
      max: rateLimits.registerPerMinute,
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
    },
    (body) => accountMail.signUp(body),
  );

  app.post(
    '/register/verify',
    {
      config: perMinute(rateLimits.registerPerMinute),
      schema: {
        tags: ['auth'],
        summary: 'Follow a sign-up link with the sign-up password: creates the member and logs in',
        description: `Needs the password chosen at sign-up, so that following a link mailed after a stranger's sign-up with your address cannot give you an account whose password the stranger knows. A wrong password answers 400 naming \`password\` and leaves the link working; after ${SIGNUP_PASSWORD_TRIES} wrong ones the link dies (400 naming \`token\`).`,
        body: z.object({ token: z.string().min(1).max(200), password: Password }),
        response: { 200: LoggedIn, ...problems(400, 429) },
      },
    },
    async (request, reply) => {
      const { token, password } = request.body;
      const result = await accountMail.completeSignUp(token, password);
      if (result.kind === 'wrong-password') {
        throw invalid(
          result.triesLeft > 0
            ? `password: this is not the password chosen at sign-up; ${result.triesLeft} ${result.triesLeft === 1 ? 'try' : 'tries'} left`
            : 'password: this is not the password chosen at sign-up, and that was the last try: the link no longer works; sign up again',
          [{ path: 'password', message: 'not the password chosen at sign-up' }],
        );
      }
      if (result.kind === 'unknown')
        throw deadLink(
          'this sign-up link is unknown, expired or already used; sign up again or log in',
        );
      return startSession(services, request, reply, result.userId);
    },
  );

  checkYourEmail(
    '/register/resend',
    {
      max: rateLimits.registerPerMinute,
      summary: 'Mail the sign-up link again (always 202)',
      description:
        "Mails a new link for the address's newest pending sign-up (its previous link stops working). The answer is the same whether or not the address has a pending sign-up or an account.",
      body: z.object({ email: Email }),
    },
    (body) => accountMail.resendSignupLink(body.email),
  );

  app.post(
    '/email-change/confirm',
    {
      config: perMinute(rateLimits.registerPerMinute),
      schema: {
        tags: ['auth'],
        summary: 'Follow a change-of-address link: the account moves to the new address',
        description:
          'The link (/confirm-email?token=…) is mailed to the new address by PATCH /api/me/account; it works once, for 24 hours, without logging in. The previous address gets a notice.',
        body: z.object({ token: z.string().min(1).max(200) }),
        response: {
          200: z.object({ status: z.literal('email-changed') }),
          ...problems(400, 429),
        },
      },
    },
    async (request) => {
      if (!(await accountMail.confirmEmailChange(request.body.token))) {
        throw deadLink(
          'this link is unknown, expired or already used; ask for the change again on your account page',
        );
      }
      return { status: 'email-changed' as const };
    },
  );

  app.post(
    '/login',
    {
      config: perMinute(rateLimits.loginPerMinute),
      schema: {
        tags: ['auth'],
        summary: 'Log in (rotates the session)',
        body: z.object({ email: Email, password: Password }),
        description:
          '401 "e-mail or password is wrong" for an unknown address or a wrong password alike; 403 when the password is the one of a sign-up whose link was not followed yet.',
        response: { 200: LoggedIn, ...problems(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const result = await logIn(services.db, services.vault, services.throttles, {
        ...request.body,
        source: request.ip,
      });
      if (result.kind === 'member') return startSession(services, request, reply, result.userId);
      if (result.kind === 'pending') throw forbidden(NOT_CONFIRMED);
      logEvent(services, {
        kind: 'login_failed',
        reason: result.kind === 'throttled' ? 'rate-limited' : 'wrong-credentials',
        ...eventActor(request),
      });
      if (result.kind === 'wrong') throw unauthenticated(WRONG_CREDENTIALS);
      reply.header('retry-after', String(result.retryAfterSeconds));
      throw rateLimited(
        `too many wrong passwords from your address for this account: wait ${result.retryAfterSeconds} s, or reset the password`,
      );
    },
  );

  app.post(
    '/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'Log out (destroys the session)',
        response: { 204: z.undefined() },
      },
    },
    async (request, reply) => {
      if (request.session) await services.sessions.destroy(request.session);
      clearSessionCookie(request, reply);
      return reply.code(204).send();
    },
  );

  checkYourEmail(
    '/password-reset',
    {
      max: rateLimits.passwordResetPerMinute,
      summary: 'Mail a password reset link (always 202)',
      description:
        'The link (/reset-password?token=…) works once, for one hour. The answer is the same whether or not the e-mail is registered.',
      body: z.object({ email: Email }),
    },
    (body) => accountMail.requestPasswordReset(body.email),
  );

  app.post(
    '/password-reset/confirm',
    {
      schema: {
        tags: ['auth'],
        summary: 'Set a new password with a reset token (logs out every session)',
        body: z.object({ token: z.string().min(1).max(200), password: Password }),
        response: { 204: z.undefined(), ...problems(400) },
      },
    },
    async (request, reply) => {
      const { token, password } = request.body;
      const userId = await confirmPasswordReset(services.db, services.vault, token, password);
      if (userId === null)
        throw deadLink('this reset link is unknown, expired or already used; ask for a new one');
      await services.sessions.destroyAll(userId);
      if (request.session?.userId === userId) clearSessionCookie(request, reply);
      return reply.code(204).send();
    },
  );
};

export const registerAuthRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  await app.register(authRoutes, { prefix: '/api/auth' });

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
