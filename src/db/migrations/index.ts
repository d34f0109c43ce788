import type { Migration } from 'kysely';
import * as initial from './0001_initial.ts';
import * as web from './0002_web.ts';
import * as research from './0003_research.ts';
import * as pendingRegistrations from './0004_pending_registrations.ts';
import * as emailChanges from './0005_email_changes.ts';
import * as databaseId from './0006_database_id.ts';
import * as throttles from './0007_throttles.ts';
import * as halfStars from './0008_half_stars.ts';
import * as listsAndTags from './0009_lists_and_tags.ts';
import * as linksAndGroups from './0010_links_and_groups.ts';
import * as recommenderChoice from './0012_recommender_choice.ts';
import * as announcementsAndSurveys from './0013_announcements_and_surveys.ts';
import * as changeLog from './0014_change_log.ts';
import * as publishedModels from './0015_published_models.ts';
import * as modelParts from './0016_model_parts.ts';
import * as ratingsMovieRating from './0017_ratings_movie_rating.ts';

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
  '0008_half_stars': halfStars,
  '0009_lists_and_tags': listsAndTags,
  '0010_links_and_groups': linksAndGroups,
  '0012_recommender_choice': recommenderChoice,
  '0013_announcements_and_surveys': announcementsAndSurveys,
  '0014_change_log': changeLog,
  '0015_published_models': publishedModels,
  '0016_model_parts': modelParts,
  '0017_ratings_movie_rating': ratingsMovieRating,
};
