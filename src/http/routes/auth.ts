/**
 * Register (confirmed by an e-mailed link and the password chosen at sign-up), log in, log out,
 * password reset, the change-of-address link, and the session endpoint. No answer tells whether
 * an e-mail address has an account.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  completeRegistration,
  confirmEmailChange,
  confirmPasswordReset,
  createPasswordReset,
  isPendingRegistration,
  memberSummary,
  renewRegistration,
  requestEmailChange,
  startRegistration,
} from '../../services/accounts.ts';
import {
  emailChangedMail,
  emailChangeLinkMail,
  emailChangeTakenMail,
  signupLinkMail,
  signupNoticeMail,
  type OutgoingMail,
} from '../../services/mail.ts';
import { normalizeEmail, SIGNUP_PASSWORD_TRIES } from '../../services/vault.ts';
import { unsubscribeToken } from '../../services/privacy.ts';
import { SESSION_COOKIE, SESSION_LIFETIME_SECONDS, randomToken } from '../../services/sessions.ts';
import { baseUrl, type Services } from '../context.ts';
import { HttpProblem } from '../problem.ts';
import { Email, LoggedIn, Password, Problem, SessionInfo } from '../schemas.ts';
import { eventActor, logEvent } from '../eventHooks.ts';

const WRONG_CREDENTIALS = 'e-mail or password is wrong';
// Told only to whoever typed the password of a pending sign-up: they chose it, so they learn
// nothing new (a sign-up with a registered address answers the same way).
const NOT_CONFIRMED =
  'this sign-up is not confirmed yet: follow the link we e-mailed you, or ask for a new one';
const CheckYourEmail = z.object({ status: z.literal('check-your-email') });
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
      const { email, password, researchConsent } = request.body;
      const result = await startRegistration(services.db, services.vault, {
        email,
        password,
        researchConsent,
      });
      // Mail in the background: the answer must not wait on it (nor its timing tell anything).
      if (result.kind === 'new') void sendSignupLink(services, request, email, result.token);
      else void notifyOwner(services, request, result.userId);
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
      const result = await completeRegistration(services.db, services.vault, token, password);
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
      void resendSignupLink(services, request, request.body.email);
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
      const changed = await confirmEmailChange(services.db, services.vault, request.body.token);
      if (changed === null) {
        throw new HttpProblem(
          400,
          'token: this link is unknown, expired or already used; ask for the change again on your account page',
          [{ path: 'token', message: 'unknown, expired or used' }],
        );
      }
      void mailMember(services, request, changed.userId, changed.previousEmail, emailChangedMail);
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
        if (await isPendingRegistration(services.db, services.vault, email, password))
          throw new HttpProblem(403, NOT_CONFIRMED);
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
        response: { 202: CheckYourEmail, 400: Problem, 429: Problem },
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

type MemberMail = (to: string, base: string, unsubscribeUrl: string) => OutgoingMail;

/** Mails a member (at `email`, else their address) a notice with their unsubscribe link. */
async function mailMember(
  services: Services,
  request: FastifyRequest,
  userId: number,
  email: string | null,
  template: MemberMail,
): Promise<void> {
  try {
    const to = email ?? (await services.vault.emailOf(services.db, userId));
    if (!to) return;
    const base = baseUrl(services, request);
    const unsubscribe = `${base}/api/unsubscribe?token=${await unsubscribeToken(services.db, userId)}`;
    await services.mailer.send(template(to, base, unsubscribe));
  } catch (error) {
    services.log(`mail: could not send a notice to a member: ${(error as Error).message}`);
  }
}

function notifyOwner(services: Services, request: FastifyRequest, userId: number): Promise<void> {
  return mailMember(services, request, userId, null, signupNoticeMail);
}

/**
 * A logged-in member (password checked by the caller) asks to move to `email`: the new address
 * gets a confirmation link, or, when it already has an account, its owner gets a notice and
 * nothing changes. The caller answers the same in both cases; the mail goes in the background.
 * Throws CredentialPolicyError for a bad address.
 */
export async function startEmailChange(
  services: Services,
  request: FastifyRequest,
  userId: number,
  email: string,
): Promise<void> {
  const result = await requestEmailChange(services.db, services.vault, userId, email);
  if (result.kind === 'registered') {
    // Asking for the address one already has changes nothing and tells nothing new.
    if (result.userId !== userId)
      void mailMember(services, request, result.userId, null, emailChangeTakenMail);
    return;
  }
  const to = normalizeEmail(email);
  const base = baseUrl(services, request);
  void services.mailer
    .send(emailChangeLinkMail(to, base, result.token))
    .catch((error: Error) =>
      services.log(`mail: could not send a change-of-address link: ${error.message}`),
    );
}

async function sendSignupLink(
  services: Services,
  request: FastifyRequest,
  email: string,
  token: string,
): Promise<void> {
  try {
    await services.mailer.send(
      signupLinkMail(normalizeEmail(email), baseUrl(services, request), token),
    );
  } catch (error) {
    services.log(`mail: could not send a sign-up link: ${(error as Error).message}`);
  }
}

async function resendSignupLink(
  services: Services,
  request: FastifyRequest,
  email: string,
): Promise<void> {
  try {
    const token = await renewRegistration(services.db, services.vault, email);
    if (token !== null) await sendSignupLink(services, request, email, token);
  } catch (error) {
    services.log(`mail: could not renew a sign-up link: ${(error as Error).message}`);
  }
}
