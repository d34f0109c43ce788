/**
 * An admin invites a survey's audience by e-mail: an announcement (announcements.ts) tied to the
 * survey, sent by the same job, to the members of the audience who opted in to e-mail updates
 * and have not accepted or declined the survey yet. It links to the survey's page, where its
 * privacy statement comes first; it is not listed among the site's announcements.
 */
import type { Db } from '../db/connection.ts';
import type { AnnouncementJobs } from './announcementJob.ts';
import { createAnnouncement, getAnnouncement, type Announcement } from './announcements.ts';
import { conflict } from './errors.ts';
import { requireRole } from './roles.ts';
import { getSurvey } from './surveyDefinitions.ts';

export async function inviteToSurvey(
  services: { db: Db; announcements: AnnouncementJobs; publicUrl: string },
  adminId: number,
  surveyId: number,
  ratePerMinute?: number,
): Promise<Announcement> {
  const { db, announcements } = services;
  await requireRole(db, adminId, 'admin');
  const survey = await getSurvey(db, surveyId);
  if (survey.state !== 'open' && survey.state !== 'scheduled')
    throw conflict(
      `survey ${surveyId} is ${survey.state}; only an approved survey that has not closed can be announced`,
    );
  if (announcements.busy) throw conflict('an announcement is being sent; wait for it to finish');
  const link = `${services.publicUrl}/surveys/${surveyId}`;
  const draft = await createAnnouncement(
    db,
    adminId,
    {
      subject: `Invitation: ${survey.title}`,
      body:
        `You are invited to take part in a lenslab research survey, **${survey.title}**, ` +
        `open from ${survey.opensAt.slice(0, 10)} until ${survey.closesAt.slice(0, 10)}.\n\n` +
        `Taking part is optional. Read what it collects, why, who sees it and how long it is kept, then decide: ${link}`,
      ratePerMinute,
    },
    surveyId,
  );
  await announcements.send(adminId, draft.id);
  return getAnnouncement(db, draft.id);
}
