/** The member's own data: privacy, account, export, deletion; public profiles; unsubscribe. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  deleteMember,
  exportMember,
  getPrivacy,
  memberByUsername,
  unsubscribe,
  updatePrivacy,
} from '../../services/privacy.ts';
import { requireMember } from '../context.ts';
import { forgetMemberResearch, logPredictionsShown } from '../eventHooks.ts';
import { HttpProblem } from '../problem.ts';
import { Email, MovieSummary, Password, Privacy, Problem, Visibility } from '../schemas.ts';
import { clearSessionCookie } from '../sessionCookie.ts';
import { ANONYMOUS, movieSummary, viewerOf } from './movies.ts';

const Username = z
  .string()
  .regex(/^[a-z0-9_]{3,30}$/, 'must be 3 to 30 of a-z, 0-9 and _')
  .nullable()
  .describe('public username: 3–30 of [a-z0-9_], unique; null removes it');

function unsubscribePage(done: boolean): string {
  const message = done
    ? 'You will no longer receive e-mail updates from lenslab. You can turn them back on under Privacy &amp; preferences.'
    : 'This unsubscribe link is not valid (it may belong to a deleted account).';
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>lenslab: e-mail updates</title></head><body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">` +
    `<h1>${done ? 'Unsubscribed' : 'Link not valid'}</h1><p>${message}</p><p><a href="/">Back to lenslab</a></p></body></html>`
  );
}

export const registerMeRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  const { db, vault, catalog } = services;

  app.get(
    '/api/me/privacy',
    {
      schema: {
        tags: ['me'],
        summary: 'Your privacy choices',
        response: { 200: Privacy, 401: Problem },
      },
    },
    async (request) => getPrivacy(db, requireMember(request)),
  );

  app.patch(
    '/api/me/privacy',
    {
      schema: {
        tags: ['me'],
        summary: 'Change your privacy choices (any subset)',
        body: z.object({
          ratingsVisibility: Visibility.optional(),
          researchConsent: z.boolean().optional(),
          emailUpdates: z.boolean().optional(),
          username: Username.optional(),
        }),
        response: { 200: Privacy, 400: Problem, 401: Problem, 403: Problem, 409: Problem },
      },
    },
    async (request) => updatePrivacy(db, requireMember(request), request.body),
  );

  app.get(
    '/api/me/account',
    {
      schema: {
        tags: ['me'],
        summary: 'Your e-mail address (to you only)',
        response: { 200: z.object({ email: z.string() }), 401: Problem },
      },
    },
    async (request) => {
      const email = await vault.emailOf(db, requireMember(request));
      if (email === null) throw new HttpProblem(404, 'this account has no e-mail address');
      return { email };
    },
  );

  app.patch(
    '/api/me/account',
    {
      schema: {
        tags: ['me'],
        summary: 'Change your e-mail or password (needs the current password)',
        description:
          'A new password applies at once (204). A new e-mail answers 202 "check your new address" in every case: an address without an account gets a link (/confirm-email?token=…, single use, 24 hours) and the account moves only when it is followed; an address that has an account gets a notice to its owner instead, and nothing changes.',
        body: z.object({
          currentPassword: Password,
          email: Email.optional(),
          newPassword: Password.optional(),
        }),
        response: {
          202: z.object({ status: z.literal('check-your-new-address') }),
          204: z.undefined(),
          400: Problem,
          401: Problem,
          403: Problem,
        },
      },
    },
    async (request, reply) => {
      const userId = requireMember(request);
      const { currentPassword, email, newPassword } = request.body;
      if (!(await vault.checkPassword(db, userId, currentPassword))) {
        throw new HttpProblem(403, 'currentPassword: the current password is wrong', [
          { path: 'currentPassword', message: 'wrong' },
        ]);
      }
      if (email !== undefined) await services.accountMail.requestEmailChange(userId, email);
      if (newPassword !== undefined) {
        await vault.setPassword(db, userId, newPassword);
        // Anyone else logged in as this member (with the old password) is logged out.
        await services.sessions.destroyOthers(userId, request.session!.tokenHash);
      }
      if (email !== undefined)
        return reply.code(202).send({ status: 'check-your-new-address' as const });
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/me/export',
    {
      schema: {
        tags: ['me'],
        summary: 'Download everything lenslab holds about you (JSON)',
        response: { 200: z.record(z.string(), z.unknown()), 401: Problem },
      },
    },
    async (request, reply) => {
      const userId = requireMember(request);
      const data = await exportMember(db, vault, userId);
      reply.header('content-disposition', `attachment; filename="lenslab-export-${userId}.json"`);
      return data as unknown as Record<string, unknown>;
    },
  );

  app.delete(
    '/api/me',
    {
      schema: {
        tags: ['me'],
        summary: 'Delete your account: identity, ratings, sessions, privacy settings and posts',
        body: z.object({ password: Password }),
        response: { 204: z.undefined(), 400: Problem, 401: Problem, 403: Problem },
      },
    },
    async (request, reply) => {
      const userId = requireMember(request);
      if (!(await vault.checkPassword(db, userId, request.body.password))) {
        throw new HttpProblem(403, 'password: the password is wrong; nothing was deleted', [
          { path: 'password', message: 'wrong' },
        ]);
      }
      const removed = await deleteMember(db, vault, userId);
      await forgetMemberResearch(services, userId);
      for (const rating of removed) catalog.applyRatingChange(rating.movieId, rating.rating, null);
      services.recommender.forget(userId);
      services.sessions.forget(userId);
      clearSessionCookie(request, reply);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/users/:username',
    {
      schema: {
        tags: ['community'],
        summary: "A member's public profile (ratings only when they share them publicly)",
        params: z.object({
          username: z.string().regex(/^[a-z0-9_]{3,30}$/, 'must be 3 to 30 of a-z, 0-9 and _'),
        }),
        response: {
          200: z.object({
            username: z.string(),
            ratings: z.array(MovieSummary.extend({ rating: z.number() })).nullable(),
          }),
          400: Problem,
          404: Problem,
        },
      },
    },
    async (request) => {
      const { username } = request.params;
      const member = await memberByUsername(db, username);
      if (!member) throw new HttpProblem(404, `nobody is called ${username}`);
      if (member.visibility !== 'public') return { username, ratings: null };
      const owner = await services.recommender.memberRatings(member.userId);
      const viewer = await viewerOf(services, request.session?.userId ?? null);
      const ratings = [...owner.entries()]
        .filter(([movieId]) => catalog.indexOf(movieId) >= 0)
        .sort((a, b) => b[1].ratedAt - a[1].ratedAt || a[0] - b[0])
        .map(([movieId, r]) => ({
          ...movieSummary(catalog, catalog.indexOf(movieId), viewer ?? ANONYMOUS),
          rating: r.rating,
        }));
      // The viewer's own predictions for the profile's movies (members only).
      logPredictionsShown(services, request, 'profile', ratings);
      return { username, ratings };
    },
  );

  const unsubscribeSchema = {
    tags: ['me'],
    querystring: z.object({ token: z.string().min(1).max(100) }),
  };
  app.get(
    '/api/unsubscribe',
    {
      schema: {
        ...unsubscribeSchema,
        summary: 'One-click unsubscribe from e-mail updates (no login; HTML page)',
      },
    },
    async (request, reply) => {
      const done = await unsubscribe(db, request.query.token);
      return reply
        .code(done ? 200 : 404)
        .type('text/html; charset=utf-8')
        .send(unsubscribePage(done));
    },
  );
  app.post(
    '/api/unsubscribe',
    {
      schema: {
        ...unsubscribeSchema,
        summary: 'RFC 8058 one-click unsubscribe (List-Unsubscribe-Post)',
      },
    },
    async (request, reply) => {
      const done = await unsubscribe(db, request.query.token);
      return reply
        .code(done ? 200 : 404)
        .type('text/html; charset=utf-8')
        .send(unsubscribePage(done));
    },
  );
};
