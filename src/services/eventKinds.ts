/**
 * The research event kinds, and how an event becomes a table row: each kind's fields are
 * whitelisted and checked at flush time (off the request path), so a stray property (an e-mail, a
 * password, an IP address) passed by mistake never reaches the table; routes lose their query
 * strings, e-mail addresses typed into search are replaced, visitor ids must look like ours.
 */
import type { Insertable } from 'kysely';
import type { EventsTable } from '../db/schema.ts';
import { replaceEmailAddresses } from '../privacy/emailText.ts';
import { isVisitorId } from './visitorIds.ts';

export const EVENT_KINDS = [
  'login',
  'login_failed',
  'page',
  'rating',
  'predictions_shown',
  'search',
  'recommendation_click',
  'recommender_chosen',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Who did it, and when. A member is known only by the numeric pseudonymous id. */
export interface EventActor {
  /** The member's pseudonymous id (users.id), when logged in. */
  memberId?: number | null;
  /** An anonymous visitor's random cookie id (see `newVisitorId`), when not logged in. */
  visitorId?: string | null;
  /** Unix milliseconds; defaults to the time of `record()`. */
  at?: number;
}

export interface LoginEvent extends EventActor {
  kind: 'login';
  memberId: number;
}

export const LOGIN_FAILURE_REASONS = [
  'wrong-credentials',
  'rate-limited',
  'invalid-input',
] as const;
export type LoginFailureReason = (typeof LOGIN_FAILURE_REASONS)[number];

/** A failed login: never the typed e-mail (the event has no field for it). */
export interface LoginFailedEvent extends EventActor {
  kind: 'login_failed';
  reason?: LoginFailureReason;
}

/** A page or API request: the route pattern (`/movies/:id`), never the query string. */
export interface PageEvent extends EventActor {
  kind: 'page';
  route: string;
  method?: string;
  status?: number;
}

/** A rating set, changed or removed (`rating: null`). */
export interface RatingEvent extends EventActor {
  kind: 'rating';
  memberId: number;
  movieId: number;
  rating: number | null;
  previousRating: number | null;
}

/** Where predictions were shown: `recommendations` lists count for click-through. */
export const PREDICTION_CONTEXTS = [
  'recommendations',
  'movie',
  'explore',
  'similar',
  'onboarding',
  'profile',
] as const;
export type PredictionContext = (typeof PREDICTION_CONTEXTS)[number];
const PREDICTION_CONTEXT_SET = new Set<string>(PREDICTION_CONTEXTS);
/**
 * Predictions or recommendations shown to a member, one entry per movie, in display order.
 * The log keeps references to the arrays until the next flush: do not change them afterwards.
 */
export interface PredictionsShownEvent extends EventActor {
  kind: 'predictions_shown';
  context: PredictionContext;
  movieIds: ArrayLike<number>;
  predictedRatings: ArrayLike<number>;
  /** 1-based positions on the page; default 1..n. */
  positions?: ArrayLike<number>;
  modelId: string;
  modelVersion: string | number;
  /** The experiment and variant that chose what was shown, if any. */
  experiment?: string | null;
  variant?: string | null;
}

export interface SearchEvent extends EventActor {
  kind: 'search';
  query: string;
  resultCount: number;
}

export interface RecommendationClickEvent extends EventActor {
  kind: 'recommendation_click';
  movieId: number;
  /** 1-based position in the list that was clicked. */
  position?: number | null;
  context?: PredictionContext;
}

/** A member chose a recommender (recommenderChoices.ts); `previousChoice` tells a switch. */
export interface RecommenderChosenEvent extends EventActor {
  kind: 'recommender_chosen';
  memberId: number;
  choice: string;
  previousChoice: string;
}

export type ResearchEvent =
  | LoginEvent
  | LoginFailedEvent
  | PageEvent
  | RatingEvent
  | PredictionsShownEvent
  | SearchEvent
  | RecommendationClickEvent
  | RecommenderChosenEvent;

// ---- serialization (at flush time, off the request path) ------------------------------------

/** A recorded event that cannot be stored (a bug in the caller): dropped, reported to onError. */
export class InvalidEventError extends Error {
  constructor(kind: unknown, problem: string) {
    super(`event log: dropped an invalid ${String(kind)} event: ${problem}`);
    this.name = 'InvalidEventError';
  }
}

const MAX_TEXT = 200;

/** Free text a member typed: NFKC-normalized, e-mail addresses replaced, length capped. */
export function scrubText(text: string): string {
  return redactEmails(text).slice(0, MAX_TEXT);
}

/** Free text NFKC-normalized with its e-mail addresses replaced (any length). */
export function redactEmails(text: string): string {
  return replaceEmailAddresses(text.normalize('NFKC'), '[e-mail removed]');
}

/** A route pattern: no query string or fragment, no e-mail addresses, capped length. */
export function scrubRoute(route: string): string {
  const cut = route.search(/[?#]/);
  return scrubText(cut === -1 ? route : route.slice(0, cut));
}

function wholeNumber(kind: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new InvalidEventError(kind, `${field} must be a whole number, got ${String(value)}`);
  }
  return value;
}

function finite(kind: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidEventError(kind, `${field} must be a finite number, got ${String(value)}`);
  }
  return value;
}

function optionalRating(kind: string, field: string, value: unknown): number | null {
  return value === null || value === undefined ? null : finite(kind, field, value);
}

function shortText(kind: string, field: string, value: unknown): string {
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new InvalidEventError(kind, `${field} must be text`);
  }
  return String(value).slice(0, MAX_TEXT);
}

function optionalShortText(kind: string, field: string, value: unknown): string | null {
  return value === null || value === undefined ? null : shortText(kind, field, value);
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** The kind's whitelisted fields, checked; throws InvalidEventError. */
function payloadOf(event: ResearchEvent, memberId: number | null): Record<string, unknown> {
  const kind = event.kind;
  switch (kind) {
    case 'login':
      if (memberId === null) throw new InvalidEventError(kind, 'memberId is required');
      return {};
    case 'login_failed': {
      const reason = event.reason ?? 'wrong-credentials';
      if (!(LOGIN_FAILURE_REASONS as readonly string[]).includes(reason)) {
        throw new InvalidEventError(kind, `unknown reason "${String(reason)}"`);
      }
      return { reason };
    }
    case 'page': {
      const payload: Record<string, unknown> = {
        route: scrubRoute(shortText(kind, 'route', event.route)),
      };
      if (event.method !== undefined)
        payload.method = shortText(kind, 'method', event.method).toUpperCase();
      if (event.status !== undefined) payload.status = wholeNumber(kind, 'status', event.status);
      return payload;
    }
    case 'rating':
      if (memberId === null) throw new InvalidEventError(kind, 'memberId is required');
      return {
        movieId: wholeNumber(kind, 'movieId', event.movieId),
        rating: optionalRating(kind, 'rating', event.rating),
        previousRating: optionalRating(kind, 'previousRating', event.previousRating),
      };
    case 'predictions_shown': {
      if (!PREDICTION_CONTEXT_SET.has(event.context)) {
        throw new InvalidEventError(kind, `unknown context "${String(event.context)}"`);
      }
      const n = event.movieIds?.length ?? -1;
      if (n < 0 || event.predictedRatings?.length !== n) {
        throw new InvalidEventError(
          kind,
          'movieIds and predictedRatings must have the same length',
        );
      }
      if (event.positions !== undefined && event.positions.length !== n) {
        throw new InvalidEventError(kind, 'positions must have the same length as movieIds');
      }
      const movieIds = new Array<number>(n);
      const predictedRatings = new Array<number>(n);
      const positions = new Array<number>(n);
      for (let i = 0; i < n; i++) {
        movieIds[i] = wholeNumber(kind, 'movieIds', event.movieIds[i]);
        predictedRatings[i] = round4(finite(kind, 'predictedRatings', event.predictedRatings[i]));
        positions[i] = event.positions ? wholeNumber(kind, 'positions', event.positions[i]) : i + 1;
      }
      return {
        context: event.context,
        modelId: shortText(kind, 'modelId', event.modelId),
        modelVersion: shortText(kind, 'modelVersion', event.modelVersion),
        experiment: optionalShortText(kind, 'experiment', event.experiment),
        variant: optionalShortText(kind, 'variant', event.variant),
        movieIds,
        predictedRatings,
        positions,
      };
    }
    case 'search':
      return {
        query: scrubText(shortText(kind, 'query', event.query)),
        resultCount: wholeNumber(kind, 'resultCount', event.resultCount),
      };
    case 'recommendation_click': {
      const payload: Record<string, unknown> = {
        movieId: wholeNumber(kind, 'movieId', event.movieId),
      };
      if (event.position !== undefined && event.position !== null) {
        payload.position = wholeNumber(kind, 'position', event.position);
      }
      if (event.context !== undefined) {
        if (!PREDICTION_CONTEXT_SET.has(event.context)) {
          throw new InvalidEventError(kind, `unknown context "${String(event.context)}"`);
        }
        payload.context = event.context;
      }
      return payload;
    }
    case 'recommender_chosen':
      if (memberId === null) throw new InvalidEventError(kind, 'memberId is required');
      return {
        choice: shortText(kind, 'choice', event.choice),
        previousChoice: shortText(kind, 'previousChoice', event.previousChoice),
      };
    default:
      throw new InvalidEventError(kind, 'unknown kind');
  }
}

/** The table row for an event recorded at `at` (Unix ms); throws InvalidEventError. */
export function eventRow(event: ResearchEvent, at: number): Insertable<EventsTable> {
  const memberId =
    event.memberId === undefined || event.memberId === null
      ? null
      : wholeNumber(event.kind, 'memberId', event.memberId);
  // Only our own random ids: a forged cookie (an e-mail, an IP address) is never stored.
  const visitorId = memberId === null && isVisitorId(event.visitorId) ? event.visitorId : null;
  return {
    occurred_at_ms: Math.round(finite(event.kind, 'at', at)),
    kind: event.kind,
    user_id: memberId,
    visitor_id: visitorId,
    payload: JSON.stringify(payloadOf(event, memberId)),
  };
}
