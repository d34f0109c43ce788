/**
 * The research event log's hooks on every API request (issue #5), installed on the root server:
 * - anonymous visitors get a random cookie id (`lenslab_visitor`, HttpOnly, a year, set on GET
 *   requests), never an IP address; logged-in members are known by their numeric id only;
 * - a `page` event per API request: the route pattern (`/api/movies/:id`, never the query
 *   string), method and status;
 * (The log is flushed when the server closes: see research.ts.)
 *
 * `eventActor(request)` gives handlers the member or visitor id for their own events (predictions
 * shown, searches, logins), recorded with `logEvent`; rating events come from the MemberChanges
 * listener `eventLogListener`. Events of a member whose account is being deleted are dropped.
 * Logging is off with LENSLAB_EVENTS=off (see `createResearchServices`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  VISITOR_COOKIE,
  visitorIdFrom,
  type EventActor,
  type PredictionContext,
  type ResearchEvent,
} from '../services/events.ts';
import type { MemberChangeListener } from '../services/memberChanges.ts';
import type { ModelInfo } from '../services/recommendations.ts';
import { DISPLAY_EXPERIMENT_TYPES } from '../services/runningExperiments.ts';
import type { Services } from './context.ts';

const VISITOR_COOKIE_MAX_AGE = 365 * 24 * 3600;
/** Requests not worth a page event. */
const UNLOGGED_ROUTES = new Set(['/api/health', '/api/openapi.json']);

/** Who made the request: `{ memberId }` when logged in, else `{ visitorId }` (or nothing). */
export function eventActor(request: FastifyRequest): EventActor {
  if (request.session) return { memberId: request.session.userId };
  return request.visitorId ? { visitorId: request.visitorId } : {};
}

async function eventHooks(app: FastifyInstance): Promise<void> {
  const { changes, research } = app.services;
  const { events } = research;
  app.decorateRequest('visitorId', null);

  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/') || request.session) return;
    const visitor = visitorIdFrom(request.cookies[VISITOR_COOKIE]);
    // The cookie is handed out on reads only: a state-changing answer (a registration, a login
    // attempt) carries no cookie but the session's, so it cannot tell anything apart.
    if (visitor.isNew && request.method !== 'GET') return;
    request.visitorId = visitor.id;
    if (visitor.isNew && events.enabled) {
      reply.setCookie(VISITOR_COOKIE, visitor.id, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: request.protocol === 'https',
        maxAge: VISITOR_COOKIE_MAX_AGE,
      });
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    if (!events.enabled || !request.url.startsWith('/api/')) return;
    if (changes.isDeleted(request.session?.userId)) return;
    const route = request.routeOptions.url ?? 'unmatched';
    if (UNLOGGED_ROUTES.has(route) || route.startsWith('/api/docs')) return;
    events.record({
      kind: 'page',
      route,
      method: request.method,
      status: reply.statusCode,
      ...eventActor(request),
    });
  });
}

/** Installs the hooks on the server itself (not encapsulated), like fastify-plugin would. */
export const registerEventHooks = Object.assign(eventHooks, {
  [Symbol.for('skip-override')]: true,
});

// ---- one-line helpers for the handlers ------------------------------------------------------

/** Records a research event (O(1); written in batches off the request path). */
export function logEvent(services: Services, event: ResearchEvent): void {
  if (services.changes.isDeleted(event.memberId)) return;
  services.research.events.record(event);
}

/** Rating and recommender-choice events, as the workflows report changes (see services/memberChanges.ts). */
export function eventLogListener(services: Services): MemberChangeListener {
  return {
    ratingChanged: ({ memberId, movieId, rating, previousRating }) =>
      logEvent(services, { kind: 'rating', memberId, movieId, rating, previousRating }),
    recommenderChosen: ({ memberId, choice, previousChoice }) =>
      logEvent(services, { kind: 'recommender_chosen', memberId, choice, previousChoice }),
  };
}

/**
 * Records the predictions a member was shown (movies with a predicted rating, in display order)
 * with the serving model's id and version and the member's display-experiment variant, if any.
 * Does not wait: the variant lookup (cached) happens after the handler returns.
 */
export function logPredictionsShown(
  services: Services,
  request: FastifyRequest,
  context: PredictionContext,
  items: ReadonlyArray<{ id: number; predictedRating: number | null }>,
  model: ModelInfo = services.recommender.modelInfo,
): void {
  const { events, running } = services.research;
  const memberId = request.session?.userId;
  if (!events.enabled || memberId === undefined) return;
  let count = 0;
  for (const item of items) if (item.predictedRating !== null) count++;
  if (count === 0) return;
  const movieIds = new Int32Array(count);
  const predictedRatings = new Float32Array(count);
  const positions = new Int32Array(count);
  let k = 0;
  items.forEach((item, position) => {
    if (item.predictedRating === null) return;
    movieIds[k] = item.id;
    predictedRatings[k] = item.predictedRating;
    positions[k] = position + 1;
    k++;
  });
  const at = Date.now();
  void (async () => {
    const shown = await running.variantOfType(DISPLAY_EXPERIMENT_TYPES, memberId);
    if (services.changes.isDeleted(memberId)) return;
    events.record({
      kind: 'predictions_shown',
      memberId,
      at,
      context,
      movieIds,
      predictedRatings,
      positions,
      modelId: model.algorithm,
      modelVersion: model.version,
      experiment: shown?.experiment ?? null,
      variant: shown?.variant ?? null,
    });
  })().catch((error: Error) => services.log(`events: ${error.message}`));
}
