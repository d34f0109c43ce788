/**
 * The lenslab web server: a JSON API under /api (validated with zod, documented as OpenAPI at
 * /api/openapi.json and /api/docs, errors as problem+json), cookie sessions with CSRF tokens,
 * security headers, and optionally the built single-page app with an SPA fallback.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import Fastify, {
  LogController,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import helmet from 'helmet';
import type { Db } from '../db/connection.ts';
import { AccountMail } from '../services/accountMail.ts';
import { AnnouncementJobs } from '../services/announcementJob.ts';
import { Catalog } from '../services/catalog.ts';
import { countRows } from '../services/datasets.ts';
import { invalid, ServiceError } from '../services/errors.ts';
import { Mailer, type MailerOptions } from '../services/mail.ts';
import { ChangeFeed, type ChangeFeedOptions } from '../services/changeFeed.ts';
import { lastNoteId, pruneNotes } from '../services/changeLog.ts';
import { MemberChanges } from '../services/memberChanges.ts';
import { databaseIdOf, DEFAULT_MODELS_DIR } from '../services/models.ts';
import { fetchNewestModels } from '../services/modelStore.ts';
import { Recommender, type RecommenderOptions } from '../services/recommendations.ts';
import { SessionStore, sameToken } from '../services/sessions.ts';
import { Throttles } from '../services/throttles.ts';
import { Vault, type VaultOptions } from '../services/vault.ts';
import { deleteExpiredLinks } from '../services/vaultLinks.ts';
import {
  parsePublicUrl,
  parseTrustProxy,
  type RateLimits,
  type Services,
  type TrustProxy,
} from './context.ts';
import { eventLogListener, registerEventHooks } from './eventHooks.ts';
import { throttleStore } from './rateLimitStore.ts';
import { closeResearchServices, createResearchServices } from './research.ts';
import { sendProblem, STATUS_OF_KIND, type FieldError } from './problem.ts';
import { registerAuthRoutes } from './routes/auth.ts';
import { registerCommunityRoutes } from './routes/community.ts';
import { registerConsoleRoutes } from './routes/console.ts';
import { registerDocs } from './routes/docs.ts';
import { registerExperimentRoutes } from './routes/experiments.ts';
import { registerListRoutes } from './routes/lists.ts';
import { registerExtrasRoutes } from './routes/extras.ts';
import { registerMeRoutes } from './routes/me.ts';
import { registerMovieRoutes } from './routes/movies.ts';
import { registerRatingRoutes } from './routes/ratings.ts';
import { registerRecommendationRoutes } from './routes/recommendations.ts';
import { clearSessionCookie, readSessionCookie } from './sessionCookie.ts';
import { registerUi } from './ui.ts';

export interface ServerOptions {
  db: Db;
  /** Fastify's logger (pino) settings; false (default) for none. */
  logger?: FastifyServerOptions['logger'];
  /** Service messages (model loaded, mail written); default: console.log when logger is on, else nothing. */
  log?: (message: string) => void;
  vault?: Vault;
  vaultOptions?: VaultOptions;
  mailer?: Mailer;
  mailerOptions?: Omit<MailerOptions, 'log'>;
  recommender?: Recommender;
  recommenderOptions?: Omit<RecommenderOptions, 'log'>;
  rateLimits?: Partial<RateLimits>;
  /**
   * Base URL for links in e-mails (default PUBLIC_URL; when neither is set, the address the
   * server listens on, or http://localhost before it listens).
   */
  publicUrl?: string;
  /** Which proxies to believe about the client's address and protocol (default TRUST_PROXY). */
  trustProxy?: TrustProxy;
  /** Folder of the built single-page app to serve (index.html + assets), or null. */
  uiDir?: string | null;
  /** How this node follows the changes other nodes make (services/changeFeed.ts). */
  changeFeed?: Omit<ChangeFeedOptions, 'log'>;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  loginPerMinute: 10,
  registerPerMinute: 20,
  passwordResetPerMinute: 5,
};

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Reachable from an e-mail without a session or CSRF token. */
const CSRF_EXEMPT = new Set(['/api/unsubscribe']);

/** Content-Security-Policy that lets the built SPA (and Swagger UI) run and nothing else. */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  upgradeInsecureRequests: null,
};

/**
 * The security headers (helmet with CONTENT_SECURITY_POLICY), computed once: they do not depend
 * on the request, and building helmet's middleware per request (as @fastify/helmet does) cost
 * ~6% of the server's time under serve-mix.
 */
export function securityHeaders(): ReadonlyArray<[string, string]> {
  const headers = new Map<string, string>();
  const response = {
    setHeader: (name: string, value: unknown) => headers.set(name.toLowerCase(), String(value)),
    removeHeader: (name: string) => headers.delete(name.toLowerCase()),
  };
  helmet({
    contentSecurityPolicy: { directives: CONTENT_SECURITY_POLICY },
    crossOriginEmbedderPolicy: false,
  })({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return [...headers];
}

/**
 * One request log line per answer: method, route pattern, status and time. Never the URL: its
 * path and query may hold what a member typed (a search for an e-mail address, a token), so
 * Fastify's own lines (incoming request, route not found) are replaced.
 */
class RouteLogController extends LogController {
  override incomingRequest(): void {}

  override routeNotFound(): void {}

  override requestCompleted(error: Error | null, request: FastifyRequest, reply: FastifyReply) {
    const line = {
      method: request.method,
      route: request.routeOptions.url ?? '(no route)',
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    };
    // An error's stack is logged once, by the error handler.
    if (error) reply.log.error(line, 'request failed');
    else reply.log.info(line, 'request');
  }
}

/** Builds the lenslab web server (not yet listening). */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const security = securityHeaders();
  const app = Fastify({
    logger: options.logger ?? false,
    logController: new RouteLogController(),
    bodyLimit: 256 * 1024,
    trustProxy: options.trustProxy ?? parseTrustProxy(process.env.TRUST_PROXY),
    // A path the router cannot decode (`/api/movies/%C0`) is answered before any hook runs:
    // answer it like every other error, with the security headers.
    frameworkErrors: (error, request, reply) => {
      for (const [name, value] of security) reply.header(name, value);
      sendProblem(reply, request, 400, `the request is malformed: ${error.message}`);
    },
  });
  const log =
    options.log ?? (options.logger ? (message: string) => app.log.info(message) : () => {});
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const { db } = options;
  const configuredUrl = options.publicUrl ?? process.env.PUBLIC_URL;
  // Changes other nodes make from here on are applied to the state loaded below (changeFeed.ts).
  const changes = new MemberChanges();
  const since = await lastNoteId(db);
  const catalog = await Catalog.load(db);
  // Published models live in the database; the models folder caches the newest of each kind.
  const modelsDir = resolve(options.recommenderOptions?.modelsDir ?? DEFAULT_MODELS_DIR);
  const databaseId = await databaseIdOf(db);
  const fetchModels = () => fetchNewestModels(db, modelsDir, databaseId);
  if (!options.recommender) await fetchModels();
  const recommender =
    options.recommender ??
    (await Recommender.start(db, catalog, { ...options.recommenderOptions, modelsDir, log }));
  const vault = options.vault ?? new Vault(options.vaultOptions);
  const mailer = options.mailer ?? new Mailer({ ...options.mailerOptions, log });
  const throttles = new Throttles(db);
  const sessions = new SessionStore(db, changes.node);
  const research = createResearchServices({ db, catalog, recommender, node: changes.node, log });
  const services: Services = {
    db,
    vault,
    sessions,
    catalog,
    recommender,
    mailer,
    throttles,
    accountMail: new AccountMail({
      db,
      vault,
      mailer,
      throttles,
      publicUrl: () => services.publicUrl,
      log,
    }),
    announcements: new AnnouncementJobs({
      db,
      vault,
      mailer,
      publicUrl: () => services.publicUrl,
      log,
    }),
    changes,
    research,
    rateLimits: { ...DEFAULT_RATE_LIMITS, ...options.rateLimits },
    publicUrl: configuredUrl ? parsePublicUrl(configuredUrl) : 'http://localhost',
    log,
  };
  app.decorate('services', services);
  // What follows a change made through this node or another one, in this order
  // (services/memberChanges.ts); events are logged by the node that made the change.
  changes.listen(catalog);
  changes.listen({
    ratingChanged: (change) =>
      recommender.onRatingChanged(change.memberId, change.movieId, change.rating, change.ratedAt),
    recommenderChosen: (change) => recommender.onChoiceChanged(change.memberId, change.choice),
    listChanged: (change) =>
      recommender.onListChanged(change.memberId, change.movieId, change.list !== null),
    memberDeleted: (memberId) => recommender.forget(memberId),
  });
  changes.listen(research.variants);
  changes.listen(research.experiments);
  changes.listen({
    experimentsChanged: () => {
      research.experiments.invalidate();
      research.running.forget();
    },
  });
  changes.listen({
    memberDeleted: (memberId) => sessions.forget(memberId),
    sessionsEnded: (memberId) => sessions.forget(memberId),
  });
  let modelFetch = Promise.resolve();
  changes.listen({
    modelPublished: () => {
      modelFetch = modelFetch
        .then(fetchModels)
        .then(() => void recommender.loadNewest())
        .catch((error: Error) =>
          log(`recommendations: fetching published models failed: ${error.message}`),
        );
    },
  });
  changes.listen(eventLogListener(services), { remote: false });
  const feed = await ChangeFeed.start(db, changes, since, { ...options.changeFeed, log });
  // An announcement a stopped server left sending goes on (publicUrl is known once listening).
  app.addHook('onReady', () => services.announcements.resume());
  app.addHook('onListen', async () => {
    if (!configuredUrl) services.publicUrl = listeningUrl(app);
    log(
      `links in e-mails point to ${services.publicUrl}` +
        (configuredUrl
          ? ' (PUBLIC_URL)'
          : ' (the address this server listens on; set PUBLIC_URL to the public address)'),
    );
  });
  app.decorateRequest('session', null);
  // Expired sessions, sign-ups and change-of-address links are deleted hourly.
  const sweeper = setInterval(() => {
    services.sessions
      .sweep()
      .catch((error: Error) => log(`sessions: sweep failed: ${error.message}`));
    deleteExpiredLinks(services.db, Math.floor(Date.now() / 1000)).catch((error: Error) =>
      log(`vault: sweep of expired links failed: ${error.message}`),
    );
    throttles
      .sweep(Date.now())
      .catch((error: Error) => log(`throttles: sweep failed: ${error.message}`));
    pruneNotes(db).catch((error: Error) => log(`change log: prune failed: ${error.message}`));
  }, 3_600_000);
  sweeper.unref();
  app.addHook('onClose', async () => {
    clearInterval(sweeper);
    await feed.close();
    await modelFetch;
    await closeResearchServices(research);
    await services.accountMail.settled();
    await services.announcements.close();
    if (!options.mailer) mailer.close();
    if (!options.recommender) recommender.stop();
  });

  // JSON bodies; an empty body counts as none (e.g. POST /api/auth/logout with a JSON header).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(invalid('the request body is not valid JSON'), undefined);
    }
  });

  await app.register(cookie);
  app.addHook('onRequest', async (_request, reply) => {
    for (const [name, value] of security) reply.header(name, value);
  });
  // Per-route limits count in the database, across every node (rateLimitStore.ts).
  await app.register(rateLimit, { global: false, store: throttleStore(throttles, vault) });

  // Session from the cookie; CSRF token on every state-changing request of a logged-in session.
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/')) return;
    const token = readSessionCookie(request);
    request.session = token ? await services.sessions.lookup(token) : null;
    if (token && !request.session) clearSessionCookie(request, reply);
    if (
      request.session &&
      STATE_CHANGING.has(request.method) &&
      !CSRF_EXEMPT.has(request.url.split('?')[0])
    ) {
      const sent = request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !sameToken(sent, request.session.csrfToken)) {
        return sendProblem(
          reply,
          request,
          403,
          'missing or wrong x-csrf-token header (get the token from GET /api/session)',
        );
      }
    }
    reply.header('cache-control', 'no-store');
  });

  // Research event log: visitor cookie id and a `page` event per API request (after the session).
  await app.register(registerEventHooks);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ServiceError)
      return sendProblem(reply, request, STATUS_OF_KIND[error.kind], error.message, error.fields);
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = error.validationContext ?? 'body';
      const errors: FieldError[] = error.validation.map((issue) => {
        const path = issue.instancePath.replace(/^\//, '').replace(/\//g, '.');
        return { path: path || where, message: issue.message ?? 'is not valid' };
      });
      return sendProblem(
        reply,
        request,
        400,
        errors.map((e) => `${e.path}: ${e.message}`).join('; '),
        errors,
      );
    }
    if (error.statusCode === 429)
      return sendProblem(reply, request, 429, 'too many attempts; wait a minute and try again');
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return sendProblem(reply, request, error.statusCode, error.message);
    }
    request.log.error(error);
    if (!options.logger) console.error(error);
    return sendProblem(reply, request, 500, 'something went wrong on our side; please try again');
  });

  await registerDocs(app);
  // Counting a million ratings is not free: the counts are refreshed at most once a minute.
  let counts: { at: number; value: Awaited<ReturnType<typeof countRows>> } | null = null;
  app.get('/api/health', { schema: { hide: true } }, async () => {
    if (!counts || Date.now() - counts.at > 60_000)
      counts = { at: Date.now(), value: await countRows(db) };
    return { status: 'ok', ...counts.value, model: recommender.modelInfo };
  });
  await app.register(registerAuthRoutes);
  await app.register(registerMovieRoutes);
  await app.register(registerRatingRoutes);
  await app.register(registerRecommendationRoutes);
  await app.register(registerMeRoutes);
  await app.register(registerCommunityRoutes);
  await app.register(registerConsoleRoutes);
  await app.register(registerExperimentRoutes);
  await app.register(registerListRoutes);
  await app.register(registerExtrasRoutes);

  const ui = options.uiDir ? await registerUi(app, options.uiDir) : false;
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    if (path.startsWith('/api/') || path === '/api' || !ui || request.method !== 'GET') {
      return sendProblem(reply, request, 404, `no such route: ${request.method} ${path}`);
    }
    return reply.type('text/html; charset=utf-8').sendFile('index.html');
  });
  if (!ui) {
    app.get('/', { schema: { hide: true } }, async (_request, reply) => {
      const counts = await countRows(db);
      reply
        .type('text/html; charset=utf-8')
        .send(
          `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>lenslab</title></head>` +
            `<body><h1>lenslab</h1><p>An open, privacy-first MovieLens.</p>` +
            `<p>${counts.movies} movies, ${counts.users} members, ${counts.ratings} ratings.</p>` +
            `<p>The web app is not built; the API is at <a href="/api/docs">/api/docs</a>.</p></body></html>`,
        );
    });
  }
  return app;
}

/** The address the server listens on, as a URL (a wildcard address as localhost). */
function listeningUrl(app: FastifyInstance): string {
  const address = app.server.address();
  if (!address || typeof address === 'string') return 'http://localhost';
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  const host = wildcard
    ? 'localhost'
    : address.family === 'IPv6'
      ? `[${address.address}]`
      : address.address;
  return `http://${host}:${address.port}`;
}
