/**
 * Errors as RFC 9457 problem details (`application/problem+json`): the one place a service's
 * error (src/services/errors.ts) becomes an HTTP status.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorKind, FieldError } from '../services/errors.ts';

export type { FieldError };

export const STATUS_OF_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'rate-limited': 429,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

export function problemBody(
  status: number,
  detail: string,
  instance: string,
  errors?: readonly FieldError[],
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    instance,
  };
  if (errors && errors.length > 0) body.errors = errors;
  return body;
}

export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  detail: string,
  errors?: readonly FieldError[],
): FastifyReply {
  const instance = request.url.split('?')[0];
  return reply
    .code(status)
    .header('content-type', 'application/problem+json; charset=utf-8')
    .header('cache-control', 'no-store')
    .serializer(JSON.stringify)
    .send(problemBody(status, detail, instance, errors));
}
