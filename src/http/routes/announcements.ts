/**
 * Announcements: the sent ones for everyone (GET /api/announcements), and the admin's console
 * area under /api/console/admin/announcements (its own encapsulated plugin with an admin guard):
 * write and change a draft, preview it with its recipient count, send it (a background job; poll
 * the list for its progress). No answer holds a recipient.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  countRecipients,
  createAnnouncement,
  getAnnouncement,
  listAnnouncements,
  previewAnnouncement,
  publishedAnnouncements,
  updateAnnouncement,
} from '../../services/announcements.ts';
import {
  Announcement,
  AnnouncementDraftBody,
  AnnouncementList,
  AnnouncementPreview,
  IdParams,
  PublishedAnnouncements,
} from '../extrasSchemas.ts';
import { ADMIN_PREFIX } from './console/admin.ts';
import { errors, requireRoleOnRoutes, tags, who } from './console/common.ts';

export const publishedAnnouncementRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/announcements',
    {
      schema: {
        tags: ['announcements'],
        summary: 'The announcements sent to members, newest first',
        response: { 200: PublishedAnnouncements },
      },
    },
    async () => ({ items: await publishedAnnouncements(app.services.db) }),
  );
};

export const ANNOUNCEMENTS_PREFIX = `${ADMIN_PREFIX}/announcements`;

export const announcementConsoleRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, vault, announcements } = app.services;
  requireRoleOnRoutes(app, 'admin');

  app.get(
    '/',
    {
      schema: {
        tags,
        summary: 'Admin: every announcement with its progress, newest first',
        response: { 200: AnnouncementList, ...errors },
      },
    },
    async () => ({
      items: await listAnnouncements(db),
      busy: announcements.busy,
      optedIn: await countRecipients(db, vault),
    }),
  );

  app.post(
    '/',
    {
      schema: {
        tags,
        summary: 'Admin: write a draft (subject, Markdown body, mails per minute)',
        body: AnnouncementDraftBody,
        response: { 201: Announcement, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createAnnouncement(db, who(request), request.body)),
  );

  app.put(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Admin: change a draft (409 once it is sending or sent)',
        params: IdParams,
        body: AnnouncementDraftBody,
        response: { 200: Announcement, ...errors },
      },
    },
    async (request) => updateAnnouncement(db, who(request), request.params.id, request.body),
  );

  app.get(
    '/:id/preview',
    {
      schema: {
        tags,
        summary: 'Admin: the mail as it will go out, and how many members it would reach now',
        params: IdParams,
        response: { 200: AnnouncementPreview, ...errors },
      },
    },
    async (request) => previewAnnouncement(db, vault, who(request), request.params.id),
  );

  app.post(
    '/:id/send',
    {
      schema: {
        tags,
        summary:
          'Admin: send a draft to the opted-in members in the background (409 while another is sending); audited',
        params: IdParams,
        response: { 202: Announcement, ...errors },
      },
    },
    async (request, reply) => {
      await announcements.send(who(request), request.params.id);
      return reply.code(202).send(await getAnnouncement(db, request.params.id));
    },
  );
};
