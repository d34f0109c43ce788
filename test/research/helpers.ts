import { Writable } from 'node:stream';
import type { Db } from '../../src/db/connection.ts';

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
