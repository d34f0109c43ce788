/** The OpenAPI document (/api/openapi.json) and Swagger UI (/api/docs). */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

export async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'lenslab API',
        description:
          'The JSON API of lenslab, an open, privacy-first MovieLens. Errors are application/problem+json. ' +
          'State-changing requests of a logged-in session must carry the x-csrf-token header (from GET /api/session).',
        version: '0.1.0',
      },
      tags: [
        { name: 'auth', description: 'accounts and sessions' },
        { name: 'movies', description: 'the catalog' },
        { name: 'ratings', description: 'your ratings' },
        { name: 'recommendations', description: 'personal recommendations' },
        { name: 'me', description: 'your data and privacy' },
        { name: 'lists', description: 'your wishlist and hidden movies' },
        { name: 'tags', description: 'tags members put on movies' },
        { name: 'community', description: 'profiles and message boards' },
      ],
      components: {
        securitySchemes: {
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'lenslab_session',
            description: 'named __Host-lenslab_session over HTTPS',
          },
          csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  // Swagger UI runs under the site's own Content-Security-Policy: its page loads only scripts and
  // styles of its own origin (no inline script), so it needs nothing looser, and no page of
  // the site is sent with a weaker policy (no `staticCSP`, which would replace ours).
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
