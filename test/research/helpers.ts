import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { Db } from '../../src/db/connection.ts';
import { ServiceError, type ErrorKind } from '../../src/services/errors.ts';

/** Adds members (users rows) with the given ids, created at `createdAt` (Unix seconds). */
export async function addMembers(db: Db, ids: number[], createdAt = 1_700_000_000): Promise<void> {
  if (ids.length === 0) return;
  await db.kysely
    .insertInto('users')
    .values(
      ids.map((id) => ({
        id,
        created_at: createdAt,
        gender: null,
        age: null,
        occupation: null,
        zip: null,
        origin: 'signup',
        research_consent: 1,
      })),
    )
    .execute();
}

/** A writable stream that keeps what is written, as text. */
export class TextSink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Waits (polling) until `condition` holds; fails after `limitMs`. Never asserts on time. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  limitMs = 5000,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** For `assert.rejects`: a ServiceError of `kind`, with exactly `message` or one matching it. */
export function serviceError(kind: ErrorKind, message?: string | RegExp) {
  return (error: unknown): true => {
    assert.ok(error instanceof ServiceError, String(error));
    assert.equal(error.kind, kind);
    if (typeof message === 'string') assert.equal(error.message, message);
    else if (message) assert.match(error.message, message);
    return true;
  };
}

/**
 * An experiment definition as a researcher writes it: population 'all', one variant of weight 1
 * per name, running for a week from now; `overrides` replace any field.
 */
export function experimentDefinition(
  name: string,
  variants: string[],
  overrides: Record<string, unknown> = {},
) {
  return {
    name,
    hypothesis: `${variants.join(' and ')} differ`,
    population: 'all',
    variants: variants.map((variant) => ({ name: variant, weight: 1 })),
    stopsAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    ...overrides,
  };
}
