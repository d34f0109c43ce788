/**
 * Announcements (MovieLens: "on limited occasions, we may send e-mail messages to you announcing
 * new features … to members who gave permission"): an admin writes one (subject and Markdown
 * body), previews it with the number of members it will reach, and sends it as a background job
 * (announcementJob.ts). Its recipients are the members who opted in to e-mail updates and have a
 * confirmed address; nothing here sees an address. Sent announcements are public on the site.
 */
import type { Db } from '../db/connection.ts';
import type { Selectable } from 'kysely';
import type { AnnouncementsTable } from '../db/schema.ts';
import { isoTime, nowSeconds } from './clock.ts';
import { renderMarkdown } from './community.ts';
import { conflict, invalid, notFound } from './errors.ts';
import { requireRole } from './roles.ts';
import { getSurvey } from './surveyDefinitions.ts';
import type { Vault } from './vault.ts';

export const SUBJECT_MAX_LENGTH = 200;
export const BODY_MAX_LENGTH = 20_000;
/** Mails a minute when the admin does not say (a polite pace for most SMTP relays). */
export const DEFAULT_RATE_PER_MINUTE = 600;
export const MAX_RATE_PER_MINUTE = 1_000_000;
export const ANNOUNCEMENT_STATUSES = ['draft', 'sending', 'sent'] as const;
export type AnnouncementStatus = (typeof ANNOUNCEMENT_STATUSES)[number];

export interface AnnouncementDraft {
  subject: string;
  body: string;
  ratePerMinute?: number;
}

/** What the console shows of an announcement: never a recipient. */
export interface Announcement {
  id: number;
  subject: string;
  body: string;
  status: AnnouncementStatus;
  ratePerMinute: number;
  /** Members it was to reach when sending started (null for a draft). */
  recipients: number | null;
  sent: number;
  /** 0..1 of the recipients mailed. */
  progress: number;
  createdBy: number | null;
  createdAt: string;
  sentBy: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** The survey an invitation is for (sent to its audience only), or null. */
  surveyId: number | null;
}

/** The mail as members get it: Markdown source as the text part, rendered HTML beside it. */
export interface RenderedAnnouncement {
  subject: string;
  text: string;
  html: string;
}

type Row = Selectable<AnnouncementsTable>;

function present(row: Row): Announcement {
  const recipients = row.recipients === null ? null : Number(row.recipients);
  const sent = Number(row.sent);
  return {
    id: row.id,
    subject: row.subject,
    body: row.body,
    status: row.status as AnnouncementStatus,
    ratePerMinute: row.rate_per_minute,
    recipients,
    sent,
    progress: row.status === 'sent' ? 1 : recipients ? Math.min(1, sent / recipients) : 0,
    createdBy: row.created_by,
    createdAt: isoTime(Number(row.created_at)),
    sentBy: row.sent_by,
    startedAt: row.started_at === null ? null : isoTime(Number(row.started_at)),
    finishedAt: row.finished_at === null ? null : isoTime(Number(row.finished_at)),
    surveyId: row.survey_id,
  };
}

export function renderAnnouncement(subject: string, body: string): RenderedAnnouncement {
  return { subject, text: body, html: renderMarkdown(body) };
}

function checkDraft(draft: AnnouncementDraft): Required<AnnouncementDraft> {
  const subject = draft.subject.trim();
  const body = draft.body.trim();
  const ratePerMinute = draft.ratePerMinute ?? DEFAULT_RATE_PER_MINUTE;
  if (subject.length === 0 || subject.length > SUBJECT_MAX_LENGTH || /[\r\n]/.test(subject))
    throw invalid(`subject: must be one line of 1 to ${SUBJECT_MAX_LENGTH} characters`);
  if (body.length === 0 || body.length > BODY_MAX_LENGTH)
    throw invalid(`body: must be 1 to ${BODY_MAX_LENGTH} characters of Markdown`);
  if (
    !Number.isSafeInteger(ratePerMinute) ||
    ratePerMinute < 1 ||
    ratePerMinute > MAX_RATE_PER_MINUTE
  )
    throw invalid(`ratePerMinute: must be a whole number from 1 to ${MAX_RATE_PER_MINUTE}`);
  return { subject, body, ratePerMinute };
}

/** An admin's new draft; with `surveyId`, an invitation to that survey's audience. */
export async function createAnnouncement(
  db: Db,
  adminId: number,
  draft: AnnouncementDraft,
  surveyId: number | null = null,
): Promise<Announcement> {
  await requireRole(db, adminId, 'admin');
  const checked = checkDraft(draft);
  const row = await db.kysely
    .insertInto('announcements')
    .values({
      subject: checked.subject,
      body: checked.body,
      rate_per_minute: checked.ratePerMinute,
      created_by: adminId,
      created_at: nowSeconds(),
      status: 'draft',
      sent: 0,
      survey_id: surveyId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return present(row);
}

/** Changes a draft (a sending or sent announcement stays as it went). */
export async function updateAnnouncement(
  db: Db,
  adminId: number,
  id: number,
  draft: AnnouncementDraft,
): Promise<Announcement> {
  await requireRole(db, adminId, 'admin');
  const checked = checkDraft(draft);
  await draftOr409(db, id);
  await db.kysely
    .updateTable('announcements')
    .set({
      subject: checked.subject,
      body: checked.body,
      rate_per_minute: checked.ratePerMinute,
    })
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .execute();
  return getAnnouncement(db, id);
}

export async function getAnnouncement(db: Db, id: number): Promise<Announcement> {
  const row = await db.kysely
    .selectFrom('announcements')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound(`announcement ${id} does not exist`);
  return present(row);
}

async function draftOr409(db: Db, id: number): Promise<Announcement> {
  const announcement = await getAnnouncement(db, id);
  if (announcement.status !== 'draft')
    throw conflict(`announcement ${id} is ${announcement.status}; only a draft can change`);
  return announcement;
}

/** Every announcement, newest first (the console). */
export async function listAnnouncements(db: Db): Promise<Announcement[]> {
  const rows = await db.kysely
    .selectFrom('announcements')
    .selectAll()
    .orderBy('id', 'desc')
    .execute();
  return rows.map(present);
}

/** What members read on the site: the sent announcements, newest first. */
export async function publishedAnnouncements(db: Db) {
  const rows = await db.kysely
    .selectFrom('announcements')
    .select(['id', 'subject', 'body', 'started_at'])
    .where('status', '=', 'sent')
    .where('survey_id', 'is', null)
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(100)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    subject: row.subject,
    html: renderMarkdown(row.body),
    sentAt: isoTime(Number(row.started_at)),
  }));
}

/**
 * The members an announcement may go to: e-mail updates on, and a confirmed address (an identity
 * in the vault; only its member id is read here).
 */
export function optedInMembers(db: Db, vault: Vault) {
  return db.kysely
    .selectFrom('privacy_settings as p')
    .where('p.email_updates', '=', 1)
    .where('p.user_id', 'in', vault.addressedMembers(db));
}

/**
 * The recipients of an announcement: the opted-in members; for an invitation to a survey, only
 * those of its audience who have not accepted or declined it yet.
 */
export async function recipientsOf(db: Db, vault: Vault, surveyId: number | null) {
  const optedIn = optedInMembers(db, vault);
  if (surveyId === null) return optedIn;
  const { audience } = await getSurvey(db, surveyId);
  let invited = optedIn.where('p.user_id', 'not in', (eb) =>
    eb
      .selectFrom('survey_participants as s')
      .select('s.user_id')
      .where('s.survey_id', '=', surveyId),
  );
  if (audience.kind === 'rated') {
    const { movieId } = audience;
    invited = invited.where('p.user_id', 'in', (eb) =>
      eb.selectFrom('ratings as r').select('r.user_id').where('r.movie_id', '=', movieId),
    );
  } else if (audience.kind === 'experiment') {
    const { experimentId, variant } = audience;
    invited = invited.where('p.user_id', 'in', (eb) =>
      eb
        .selectFrom('experiment_assignments as a')
        .select('a.user_id')
        .where('a.experiment_id', '=', experimentId)
        .$if(variant !== undefined, (members) => members.where('a.variant', '=', variant!)),
    );
  }
  return invited;
}

export async function countRecipients(
  db: Db,
  vault: Vault,
  surveyId: number | null = null,
): Promise<number> {
  const row = await (
    await recipientsOf(db, vault, surveyId)
  )
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A draft's mail as it will go out, and how many members it would reach now. */
export async function previewAnnouncement(db: Db, vault: Vault, adminId: number, id: number) {
  await requireRole(db, adminId, 'admin');
  const announcement = await getAnnouncement(db, id);
  return {
    ...renderAnnouncement(announcement.subject, announcement.body),
    recipients: await countRecipients(db, vault, announcement.surveyId),
  };
}

/**
 * Marks a draft as sending (409 for one that is not a draft) with its recipient count; the
 * caller starts the job. Returns the recipient count.
 */
export async function markSending(
  db: Db,
  vault: Vault,
  adminId: number,
  id: number,
): Promise<number> {
  const { surveyId } = await draftOr409(db, id);
  const recipients = await countRecipients(db, vault, surveyId);
  const result = await db.kysely
    .updateTable('announcements')
    .set({ status: 'sending', recipients, sent_by: adminId, started_at: nowSeconds() })
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw conflict(`announcement ${id} is already sending`);
  return recipients;
}

/** The announcements mailed to a member (their data export). */
export async function announcementsMailedTo(db: Db, memberId: number) {
  const rows = await db.kysely
    .selectFrom('announcement_deliveries as d')
    .innerJoin('announcements as a', 'a.id', 'd.announcement_id')
    .select(['a.id', 'a.subject', 'd.sent_at'])
    .where('d.user_id', '=', memberId)
    .orderBy('d.sent_at')
    .execute();
  return rows.map((row) => ({
    announcementId: row.id,
    subject: row.subject,
    mailedAt: isoTime(Number(row.sent_at)),
  }));
}
