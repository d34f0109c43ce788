/**
 * The research event log's hooks on every API request (issue #5), installed on the root server:
 * - anonymous visitors get a random cookie id (`lenslab_visitor`, HttpOnly, a year, set on GET
 *   requests), never an IP address; logged-in members are known by their numeric id only;
 * - a `page` event per API request: the route pattern (`/api/movies/:id`, never the query
 *   string), method and status;
 * (The log is flushed when the server closes: see routes/experiments.ts.)
 *
 * `eventActor(request)` gives handlers the member or visitor id for their own events (ratings,
 * predictions shown, searches, logins), recorded with `researchOf(services).events.record(…)`.
 * Logging is off with LENSLAB_EVENTS=off (see `researchOf`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  VISITOR_COOKIE,
  visitorIdFrom,
  type EventActor,
  type PredictionContext,
  type ResearchEvent,
} from '../services/events.ts';
import type { ModelInfo } from '../services/recommendations.ts';
import type { Services } from './context.ts';
import { forgetMemberInVariants } from './recommenderVariants.ts';
import { researchOf, runningExperimentNames } from './research.ts';

const VISITOR_COOKIE_MAX_AGE = 365 * 24 * 3600;
/** Requests not worth a page event. */
const UNLOGGED_ROUTES = new Set(['/api/health', '/api/openapi.json']);

const visitors = new WeakMap<FastifyRequest, string>();
/** Members whose account was just deleted: late events of theirs (the deleting request's own
 * page event, predictions being logged) are dropped. Bounded: cleared at 10,000. */
const deletedMembers = new Set<number>();

function deleted(memberId: number | null | undefined): boolean {
  return memberId !== null && memberId !== undefined && deletedMembers.has(memberId);
}

/** Who made the request: `{ memberId }` when logged in, else `{ visitorId }` (or nothing). */
export function eventActor(request: FastifyRequest): EventActor {
  if (request.session) return { memberId: request.session.userId };
  const visitorId = visitors.get(request);
  return visitorId ? { visitorId } : {};
}

async function eventHooks(app: FastifyInstance): Promise<void> {
  const { events } = researchOf(app.services);

  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/') || request.session) return;
    const visitor = visitorIdFrom(request.cookies[VISITOR_COOKIE]);
    // The cookie is handed out on reads only: a state-changing answer (a registration, a login
    // attempt) carries no cookie but the session's, so it cannot tell anything apart.
    if (visitor.isNew && request.method !== 'GET') return;
    visitors.set(request, visitor.id);
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
    if (deleted(request.session?.userId)) return;
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
  if (deleted(event.memberId)) return;
  researchOf(services).events.record(event);
}

/** The experiment types whose variant decides what a member is shown (the README). */
const DISPLAY_EXPERIMENT_TYPES = ['recommender', 'predicted-stars'];

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
  const { events, experiments } = researchOf(services);
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
    let experiment: string | null = null;
    let variant: string | null = null;
    for (const name of await runningExperimentNames(services)) {
      if (!DISPLAY_EXPERIMENT_TYPES.some((type) => name === type || name.startsWith(`${type}-`)))
        continue;
      const assigned = await experiments.variantFor(name, memberId);
      if (assigned !== null) {
        experiment = name;
        variant = assigned;
        break;
      }
    }
    if (deleted(memberId)) return;
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
      experiment,
      variant,
    });
  })().catch((error: Error) => services.log(`events: ${error.message}`));
}

/**
 * Account deletion: the member's events (queued and stored), experiment assignments and cached
 * variant-model state go with the account.
 */
export async function forgetMemberResearch(services: Services, memberId: number): Promise<void> {
  const { events, experiments } = researchOf(services);
  if (deletedMembers.size >= 10_000) deletedMembers.clear();
  deletedMembers.add(memberId);
  await events.deleteMember(memberId);
  await experiments.deleteMember(memberId);
  forgetMemberInVariants(services, memberId);
}
