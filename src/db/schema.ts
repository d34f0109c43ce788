import type { Generated } from 'kysely';

/** Table types for Kysely. Times are Unix seconds; booleans are 0/1 integers (portable). */
export interface MoviesTable {
  id: number;
  title: string;
  year: number | null;
  /** Pipe-separated, as in the MovieLens files. */
  genres: string;
  /** When the movie joined the catalog (Unix seconds; imports: its first rating). */
  added_at: Generated<number>;
}

export interface UsersTable {
  /** The numeric pseudonymous id: the only way anything outside the vault knows a member. */
  id: number;
  created_at: number;
  gender: string | null;
  /** Years, or the lower bound of an ML-1M age bucket. */
  age: number | null;
  occupation: number | null;
  zip: string | null;
  /** 'import' for members of a research dataset, 'signup' for members who registered. */
  origin: string;
  /** 1 when the member's ratings may go into research releases. */
  research_consent: number;
}

/** The identity vault (filled by the web site); only the vault module reads or writes it. */
export interface IdentitiesTable {
  user_id: number;
  email_ciphertext: string;
  email_blind_index: string;
  password_hash: string;
  created_at: number;
  updated_at: number;
}

export interface RatingsTable {
  user_id: number;
  movie_id: number;
  /** 0.5 to 5 in half stars (guarded by the database since migration 0008). */
  rating: number;
  rated_at: number;
}

/** A member's wishlist or hidden movie (migration 0009). */
export interface MemberListsTable {
  user_id: number;
  movie_id: number;
  /** 'wishlist' or 'hidden'. */
  list: string;
  added_at: number;
}

/** A tag a member put on a movie: as written, and the key it is matched by (migration 0009). */
export interface TagsTable {
  user_id: number;
  movie_id: number;
  tag_key: string;
  tag: string;
  tagged_at: number;
}

export interface Database {
  movies: MoviesTable;
  users: UsersTable;
  identities: IdentitiesTable;
  ratings: RatingsTable;
  member_lists: MemberListsTable;
  tags: TagsTable;
  sessions: SessionsTable;
  privacy_settings: PrivacySettingsTable;
  password_resets: PasswordResetsTable;
  pending_registrations: PendingRegistrationsTable;
  email_changes: EmailChangesTable;
  boards: BoardsTable;
  threads: ThreadsTable;
  posts: PostsTable;
  events: EventsTable;
  experiments: ExperimentsTable;
  experiment_variants: ExperimentVariantsTable;
  experiment_assignments: ExperimentAssignmentsTable;
  user_roles: UserRolesTable;
  access_audit_log: AccessAuditLogTable;
  throttles: ThrottlesTable;
  database_identity: DatabaseIdentityTable;
  movie_links: MovieLinksTable;
  member_group_picks: MemberGroupPicksTable;
  recommender_choices: RecommenderChoicesTable;
  announcements: AnnouncementsTable;
  announcement_deliveries: AnnouncementDeliveriesTable;
  surveys: SurveysTable;
  survey_participants: SurveyParticipantsTable;
  change_log: ChangeLogTable;
  published_models: PublishedModelsTable;
  published_model_parts: PublishedModelPartsTable;
}

/** The recommender a member chose (0012); no row = the default. */
export interface RecommenderChoicesTable {
  user_id: number;
  choice: string;
  chosen_at_ms: number;
}

export type { Generated };

/** A logged-in session: the cookie carries a random token; only its SHA-256 is stored. */
export interface SessionsTable {
  token_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

/** A web member's choices: public username, who sees their ratings, e-mail updates. */
export interface PrivacySettingsTable {
  user_id: number;
  username: string | null;
  /** 'public' (under the username), 'anonymous' or 'private'. */
  ratings_visibility: string;
  email_updates: number;
  /** Random token of the one-click unsubscribe link. */
  unsubscribe_token: string;
  updated_at: number;
}

/** Password reset tokens: only the SHA-256 is stored; single use, expiring. */
export interface PasswordResetsTable {
  token_hash: string;
  user_id: number;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/**
 * A sign-up waiting for its e-mail link (vault-only: encrypted e-mail, blind index, password
 * hash). `email_ciphertext` is null for an attempt with an address that already has an account.
 */
export interface PendingRegistrationsTable {
  token_hash: string;
  email_blind_index: string;
  email_ciphertext: string | null;
  password_hash: string;
  research_consent: number;
  created_at: number;
  expires_at: number;
  /** Wrong passwords typed with the link; the link dies at a few. */
  verify_failures: Generated<number>;
}

/**
 * A member's request to move their account to another address, waiting for the link mailed
 * there (vault-only). `email_ciphertext` is null when that address already has an account.
 */
export interface EmailChangesTable {
  token_hash: string;
  user_id: number;
  email_blind_index: string;
  email_ciphertext: string | null;
  created_at: number;
  expires_at: number;
}

export interface BoardsTable {
  id: number;
  slug: string;
  name: string;
  description: string;
  position: number;
}

export interface ThreadsTable {
  id: number;
  board_id: number;
  /** Null once the author deleted their account (the thread stays for the replies of others). */
  user_id: number | null;
  title: string;
  created_at: number;
  last_post_at: number;
}

export interface PostsTable {
  id: number;
  thread_id: number;
  user_id: number;
  /** Markdown source. */
  body: string;
  /** Order within the thread (1, 2, …). */
  seq: number;
  created_at: number;
  edited_at: number | null;
}

// ---- research platform (0003_research) ------------------------------------------------------

/** The append-only event log; never an e-mail, an IP address or a password. */
export interface EventsTable {
  id: Generated<number>;
  /** Unix milliseconds. */
  occurred_at_ms: number;
  /** login, login_failed, page, rating, predictions_shown, search, recommendation_click */
  kind: string;
  /** The member's numeric pseudonymous id, or null for an anonymous visitor. */
  user_id: number | null;
  /** An anonymous visitor's random cookie id, or null. */
  visitor_id: string | null;
  /** The kind's fields as JSON (see src/services/events.ts). */
  payload: string;
}

export interface ExperimentsTable {
  id: Generated<number>;
  name: string;
  hypothesis: string;
  /** 'new-members' or 'all'. */
  population: string;
  /** The planned window, Unix seconds: starts_at < stops_at. */
  starts_at: number;
  stops_at: number;
  /** 'draft', 'running' or 'stopped'. */
  status: string;
  created_at: number;
  created_by: number | null;
  started_at: number | null;
  stopped_at: number | null;
}

export interface ExperimentVariantsTable {
  experiment_id: number;
  name: string;
  /** Positive; shares are weight / sum of weights. */
  weight: number;
  description: string;
  position: number;
}

/** A member's variant, recorded on first exposure. */
export interface ExperimentAssignmentsTable {
  experiment_id: number;
  user_id: number;
  variant: string;
  exposed_at_ms: number;
}

/** Researcher and admin grants; every member has the implicit role 'member'. */
export interface UserRolesTable {
  user_id: number;
  /** 'researcher' or 'admin'. */
  role: string;
  granted_at: number;
  granted_by: number | null;
}

/** Append-only (database triggers refuse UPDATE and DELETE): who looked up or changed what. */
export interface AccessAuditLogTable {
  id: Generated<number>;
  occurred_at_ms: number;
  /** The admin who acted; null for the command line on the server. */
  actor_id: number | null;
  action: string;
  target_user_id: number | null;
  reason: string | null;
  /** JSON, when the action has more to say. */
  detail: string | null;
}

// ---- provenance (0006_database_id) ----------------------------------------------------------

/** One row: the database's random id, drawn by the migration; published models record it. */
export interface DatabaseIdentityTable {
  id: string;
  created_at: number;
}

/** Throttle counters (src/services/throttles.ts); keys are HMACs. Times are Unix ms. */
export interface ThrottlesTable {
  scope: string;
  key: string;
  hits: number;
  window_start: number;
  last_at: number;
}

// ---- links and onboarding groups (0010_links_and_groups) ----------------------------------------

/** IMDb/TMDb ids of a movie; links are built from them on fixed hosts, never stored as URLs. */
export interface MovieLinksTable {
  movie_id: number;
  imdb_id: number | null;
  tmdb_id: number | null;
  /** The title an IMDb search URL of the data asked for (ML-100K), when there is no id. */
  imdb_search: string | null;
}

/** The movies of the groups a member picked at onboarding (src/services/groupOnboarding.ts). */
export interface MemberGroupPicksTable {
  user_id: number;
  movie_id: number;
  /** Which of the member's picked groups (1, 2, …). */
  pick: number;
  /** 1 for the titles that named the group on the page. */
  shown: number;
  picked_at: number;
}

/** An admin's announcement to the members who opted in to e-mail (announcements.ts). */
export interface AnnouncementsTable {
  id: Generated<number>;
  subject: string;
  /** Markdown. */
  body: string;
  created_by: number | null;
  created_at: number;
  /** 'draft', 'sending' or 'sent'. */
  status: string;
  rate_per_minute: number;
  recipients: number | null;
  sent: number;
  sent_by: number | null;
  started_at: number | null;
  finished_at: number | null;
  /** The survey an invitation is for (its audience only); null for everyone opted in. */
  survey_id: number | null;
}

/** One member an announcement went to (claimed before the mail is sent: never twice). */
export interface AnnouncementDeliveriesTable {
  announcement_id: number;
  user_id: number;
  sent_at: number;
}

/** A research survey (surveys.ts); statement, questions and audience are JSON. */
export interface SurveysTable {
  id: Generated<number>;
  title: string;
  statement: string;
  questions: string;
  audience: string;
  releasable: number;
  opens_at: number;
  closes_at: number;
  created_by: number | null;
  created_at: number;
  approved_by: number | null;
  approved_at: number | null;
}

/** A member's decision on a survey ('accepted' or 'declined') and their answers (JSON). */
export interface SurveyParticipantsTable {
  survey_id: number;
  user_id: number;
  status: string;
  decided_at: number;
  answers: string | null;
  answered_at: number | null;
}

// ---- nodes (0014_change_log) ----------------------------------------------------------------

/** A change other app nodes must follow (src/services/changeLog.ts); `created_at` is Unix ms. */
export interface ChangeLogTable {
  id: Generated<number>;
  node: string;
  kind: string;
  payload: string;
  created_at: number;
}

/** A published model file (src/services/modelStore.ts); `created_at` is Unix ms. */
export interface PublishedModelsTable {
  name: string;
  algorithm: string;
  kind: string;
  database_id: string;
  /** The whole file for models stored before 0016; empty since (see published_model_parts). */
  bytes: Uint8Array;
  created_at: number;
}

/** Part `part` (0, 1, …) of a published model file's bytes (0016). */
export interface PublishedModelPartsTable {
  name: string;
  part: number;
  bytes: Uint8Array;
}
