/**
 * The one error type of lenslab's services: what a user (a member, a researcher, an operator at
 * the command line) can cause, with its kind and the fields at fault. The HTTP layer maps it to
 * problem+json in one place (src/http/problem.ts); the command line prints its message. Anything
 * else thrown is a bug and answers 500.
 */

export type ErrorKind =
  'invalid' | 'unauthenticated' | 'forbidden' | 'not-found' | 'conflict' | 'rate-limited';

/** A field at fault: its path in the input (`memberId`, `variants.0.weight`) and what is wrong. */
export interface FieldError {
  path: string;
  message: string;
}

export class ServiceError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly fields: readonly FieldError[] = [],
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

/**
 * Bad input. A message that starts with a field name and a colon (`memberId: no such member`)
 * names that field when `fields` is not given.
 */
export function invalid(message: string, fields?: readonly FieldError[]): ServiceError {
  return new ServiceError('invalid', message, fields ?? fieldOf(message));
}

export function notFound(message: string, fields?: readonly FieldError[]): ServiceError {
  return new ServiceError('not-found', message, fields ?? []);
}

export function conflict(message: string, fields?: readonly FieldError[]): ServiceError {
  return new ServiceError('conflict', message, fields ?? []);
}

export function forbidden(message: string, fields?: readonly FieldError[]): ServiceError {
  return new ServiceError('forbidden', message, fields ?? []);
}

export function unauthenticated(message = 'log in first'): ServiceError {
  return new ServiceError('unauthenticated', message);
}

export function rateLimited(message: string): ServiceError {
  return new ServiceError('rate-limited', message);
}

/** `field: what is wrong` → that field; anything else names none. */
function fieldOf(message: string): FieldError[] {
  const match = /^([A-Za-z][\w.[\]]*): /.exec(message);
  return match ? [{ path: match[1], message: message.slice(match[0].length) }] : [];
}
