// The API client of announcements and surveys (members and console). Its shapes are the zod
// schemas of src/http/extrasSchemas.ts, imported as types only.
import type { z } from 'zod';
import type * as Schemas from '../../../../src/http/extrasSchemas.ts';
import { request } from '../../api.ts';

export type Announcement = z.infer<typeof Schemas.Announcement>;
export type AnnouncementDraft = z.input<typeof Schemas.AnnouncementDraftBody>;
export type AnnouncementPreview = z.infer<typeof Schemas.AnnouncementPreview>;
export type PublishedAnnouncement = z.infer<typeof Schemas.PublishedAnnouncements>['items'][number];
export type Survey = z.infer<typeof Schemas.Survey>;
export type SurveyDefinition = z.input<typeof Schemas.SurveyDefinitionBody>;
export type Question = Survey['questions'][number];
export type MemberSurvey = z.infer<typeof Schemas.MemberSurvey>;
export type Answers = z.infer<typeof Schemas.Answers>;
export type SurveyResults = z.infer<typeof Schemas.SurveyResults>;

const ADMIN = '/api/console/admin';

export const extrasApi = {
  published: () => request<{ items: PublishedAnnouncement[] }>('GET', '/api/announcements'),
  announcements: () =>
    request<z.infer<typeof Schemas.AnnouncementList>>('GET', `${ADMIN}/announcements`),
  createAnnouncement: (draft: AnnouncementDraft) =>
    request<Announcement>('POST', `${ADMIN}/announcements`, draft),
  preview: (id: number) =>
    request<AnnouncementPreview>('GET', `${ADMIN}/announcements/${id}/preview`),
  sendAnnouncement: (id: number) =>
    request<Announcement>('POST', `${ADMIN}/announcements/${id}/send`),

  invitations: () => request<{ items: MemberSurvey[] }>('GET', '/api/surveys'),
  survey: (id: number) => request<MemberSurvey>('GET', `/api/surveys/${id}`),
  decide: (id: number, decision: 'accept' | 'decline') =>
    request<MemberSurvey>('POST', `/api/surveys/${id}/${decision}`),
  answer: (id: number, answers: Answers) =>
    request<MemberSurvey>('PUT', `/api/surveys/${id}/answers`, { answers }),
  withdraw: (id: number) => request<void>('DELETE', `/api/surveys/${id}/answers`),

  surveys: () => request<{ items: Survey[] }>('GET', '/api/console/surveys'),
  createSurvey: (definition: SurveyDefinition) =>
    request<Survey>('POST', '/api/console/surveys', definition),
  approveSurvey: (id: number) => request<Survey>('POST', `${ADMIN}/surveys/${id}/approve`),
  inviteToSurvey: (id: number) =>
    request<Announcement>('POST', `${ADMIN}/surveys/${id}/invite`, {}),
  results: (id: number, experimentId?: number) =>
    request<SurveyResults>('GET', `/api/console/surveys/${id}/results`, undefined, {
      experimentId,
    }),
  exportUrl: (id: number, format: 'csv' | 'jsonl') =>
    `/api/console/surveys/${id}/export?format=${format}`,
};
