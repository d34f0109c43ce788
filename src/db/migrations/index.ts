import type { Migration } from 'kysely';
import * as initial from './0001_initial.ts';
import * as web from './0002_web.ts';
import * as research from './0003_research.ts';
import * as pendingRegistrations from './0004_pending_registrations.ts';
import * as emailChanges from './0005_email_changes.ts';
import * as databaseId from './0006_database_id.ts';
import * as throttles from './0007_throttles.ts';
import * as announcementsAndSurveys from './0013_announcements_and_surveys.ts';

/**
 * Every migration, in order. Add a new file `NNNN_name.ts` and list it here; never edit one that
 * has shipped. The same migrations serve SQLite and PostgreSQL.
 */
export const migrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_web': web,
  '0003_research': research,
  '0004_pending_registrations': pendingRegistrations,
  '0005_email_changes': emailChanges,
  '0006_database_id': databaseId,
  '0007_throttles': throttles,
  '0013_announcements_and_surveys': announcementsAndSurveys,
};
