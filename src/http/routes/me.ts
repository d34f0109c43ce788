/**
 * The member's own data under /api/me (privacy, account, export, deletion, experiments; members
 * only), public profiles, and the one-click unsubscribe from e-mails (no login).
 */
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { deleteAccount } from '../../services/accountDeletion.ts';
import { changeAccount } from '../../services/accounts.ts';
import { notFound } from '../../services/errors.ts';
import { groupRecommendations, pickGroups } from '../../services/groupOnboarding.ts';
import { memberStats } from '../../services/memberStats.ts';
import {
  exportMember,
  getPrivacy,
  memberByUsername,
  unsubscribe,
  updatePrivacy,
} from '../../services/privacy.ts';
import { member, membersOnly } from '../context.ts';
import { logPredictionsShown } from '../eventHooks.ts';
import {
  Email,
  MovieSummary,
  Password,
  Privacy,
  Username,
  Visibility,
  problems,
  queryInt,
} from '../schemas.ts';
import { GroupPicks, GroupRecommendations, MemberStats } from '../homeSchemas.ts';
import { clearSessionCookie } from '../sessionCookie.ts';
import { memberExperimentRoutes } from './experiments.ts';
import { ANONYMOUS, movieSummary, ratedNewestFirst, viewerOf } from './movies.ts';

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

/** /api/me: what lenslab holds about the logged-in member. */
const meRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  const { db, vault } = services;
  membersOnly(app);

  app.get(
    '/privacy',
    {
      schema: {
        tags: ['me'],
        summary: 'Your privacy choices',
        response: { 200: Privacy, ...problems(401) },
      },
    },
    async (request) => getPrivacy(db, member(request)),
  );

  app.patch(
    '/privacy',
    {
      schema: {
        tags: ['me'],
        summary: 'Change your privacy choices (any subset)',
        body: z.object({
          ratingsVisibility: Visibility.optional(),
          researchConsent: z.boolean().optional(),
          emailUpdates: z.boolean().optional(),
          username: Username.nullable()
            .optional()
            .describe('public username: 3–30 of [a-z0-9_], unique; null removes it'),
        }),
        response: { 200: Privacy, ...problems(400, 401, 403, 409) },
      },
    },
    async (request) => updatePrivacy(db, member(request), request.body),
  );

  app.get(
    '/account',
    {
      schema: {
        tags: ['me'],
        summary: 'Your e-mail address (to you only)',
        response: { 200: z.object({ email: z.string() }), ...problems(401) },
      },
    },
    async (request) => {
      const email = await vault.emailOf(db, member(request));
      if (email === null) throw notFound('this account has no e-mail address');
      return { email };
    },
  );

  app.patch(
    '/account',
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
          ...problems(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      await changeAccount(services, member(request), request.session!, request.body);
      if (request.body.email !== undefined)
        return reply.code(202).send({ status: 'check-your-new-address' as const });
      return reply.code(204).send();
    },
  );

  app.get(
    '/export',
    {
      schema: {
        tags: ['me'],
        summary: 'Download everything lenslab holds about you (JSON)',
        response: { 200: z.record(z.string(), z.unknown()), ...problems(401) },
      },
    },
    async (request, reply) => {
      const userId = member(request);
      const data = await exportMember(db, vault, userId, services.research.events);
      reply.header('content-disposition', `attachment; filename="lenslab-export-${userId}.json"`);
      return data as unknown as Record<string, unknown>;
    },
  );

  app.delete(
    '',
    {
      schema: {
        tags: ['me'],
        summary: 'Delete your account: identity, ratings, sessions, privacy settings and posts',
        body: z.object({ password: Password }),
        response: { 204: z.undefined(), ...problems(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const { db, vault, changes } = services;
      const deletion = { db, vault, changes, events: services.research.events };
      await deleteAccount(deletion, member(request), request.body.password);
      clearSessionCookie(request, reply);
      return reply.code(204).send();
    },
  );

  app.get(
    '/stats',
    {
      schema: {
        tags: ['me'],
        summary: 'Your rating statistics: histogram, averages, per month, where you differ most',
        response: { 200: MemberStats, ...problems(401) },
      },
    },
    async (request) => {
      const { catalog } = services;
      const stats = await memberStats(db, catalog, member(request));
      const differences = stats.differences.map(({ index, ...rest }) => ({
        ...rest,
        movie: movieSummary(catalog, index, ANONYMOUS),
      }));
      return { ...stats, differences };
    },
  );

  const groupItems = async (userId: number, indexes: number[]) => {
    const viewer = await viewerOf(services, userId);
    return { items: indexes.map((i) => movieSummary(services.catalog, i, viewer)) };
  };
  app.put(
    '/groups',
    {
      schema: {
        tags: ['me'],
        summary: 'Pick groups of movies you like (onboarding): answers your first recommendations',
        body: GroupPicks,
        response: { 200: GroupRecommendations, ...problems(400, 401) },
      },
    },
    async (request) => {
      const userId = member(request);
      return groupItems(userId, await pickGroups(services, userId, request.body.groups, 20));
    },
  );
  app.get(
    '/groups/recommendations',
    {
      schema: {
        tags: ['me'],
        summary: 'First recommendations from the groups you picked (empty if you picked none)',
        querystring: z.object({ n: queryInt(1, 100) }),
        response: { 200: GroupRecommendations, ...problems(400, 401) },
      },
    },
    async (request) => {
      const userId = member(request);
      const n = request.query.n ?? 20;
      return groupItems(userId, await groupRecommendations(services, userId, n));
    },
  );

  await app.register(memberExperimentRoutes);
};

/** Public profiles and the unsubscribe link (no login). */
const publicRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  const { db, catalog } = services;

  app.get(
    '/api/users/:username',
    {
      schema: {
        tags: ['community'],
        summary: "A member's public profile (ratings only when they share them publicly)",
        params: z.object({ username: Username }),
        response: {
          200: z.object({
            username: z.string(),
            ratings: z.array(MovieSummary.extend({ rating: z.number() })).nullable(),
          }),
          ...problems(400, 404),
        },
      },
    },
    async (request) => {
      const { username } = request.params;
      const owner = await memberByUsername(db, username);
      if (!owner) throw notFound(`nobody is called ${username}`);
      if (owner.visibility !== 'public') return { username, ratings: null };
      const ratingsOfOwner = await services.recommender.memberRatings(owner.userId);
      const viewer = await viewerOf(services, request.session?.userId ?? null);
      const ratings = ratedNewestFirst(catalog, ratingsOfOwner).map(([movieId, r]) => ({
        ...movieSummary(catalog, catalog.indexOf(movieId), viewer ?? ANONYMOUS),
        rating: r.rating,
      }));
      // The viewer's own predictions for the profile's movies (members only).
      logPredictionsShown(services, request, 'profile', ratings);
      return { username, ratings };
    },
  );

  // The link in every e-mail (GET) and RFC 8058 one-click unsubscribe (List-Unsubscribe-Post).
  const querystring = z.object({ token: z.string().min(1).max(100) });
  const unsubscribeHandler = async (request: { query: { token: string } }, reply: FastifyReply) => {
    const done = await unsubscribe(db, request.query.token);
    return reply
      .code(done ? 200 : 404)
      .type('text/html; charset=utf-8')
      .send(unsubscribePage(done));
  };
  app.get(
    '/api/unsubscribe',
    {
      schema: {
        tags: ['me'],
        querystring,
        summary: 'One-click unsubscribe from e-mail updates (no login; HTML page)',
      },
    },
    unsubscribeHandler,
  );
  app.post(
    '/api/unsubscribe',
    {
      schema: {
        tags: ['me'],
        querystring,
        summary: 'RFC 8058 one-click unsubscribe (List-Unsubscribe-Post)',
      },
    },
    unsubscribeHandler,
  );
};

export const registerMeRoutes: FastifyPluginAsyncZod = async (app) => {
  await app.register(meRoutes, { prefix: '/api/me' });
  await app.register(publicRoutes);
};
