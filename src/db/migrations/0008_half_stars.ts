import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * Half stars (0.5–5, as movielens.org and ML-10M onwards). The column is `real` already; this
 * converts what is stored and guards what comes:
 * - every stored rating is snapped to the nearest half star (ties upwards: 3.25 → 3.5) and
 *   clamped to 0.5–5; a rating that is not a number (PostgreSQL's NaN) is deleted. Whole stars
 *   (all that the site and the importers ever stored) stay exactly as they are;
 * - the database refuses any other rating: a CHECK constraint on PostgreSQL, and on SQLite, which
 *   cannot add a constraint to an existing table, triggers before INSERT and UPDATE that abort.
 * The snap cannot be undone: `down` removes the guard only.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // A table holds few distinct ratings: snap each distinct value once, in JavaScript, so that
  // both databases round the same way (their ROUND and CAST rules differ).
  const distinct = await sql<{ rating: number | string }>`
    SELECT DISTINCT rating FROM ratings`.execute(db);
  for (const row of distinct.rows) {
    const stored = Number(row.rating);
    // Compared as the column's own type (PostgreSQL's real is 4 bytes: 3.3 ≠ 3.3::float8).
    const same = sql`rating = CAST(${String(row.rating)} AS REAL)`;
    if (Number.isNaN(stored)) await sql`DELETE FROM ratings WHERE ${same}`.execute(db);
    else if (snapToHalfStar(stored) !== stored)
      await sql`UPDATE ratings SET rating = ${snapToHalfStar(stored)} WHERE ${same}`.execute(db);
  }
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`ALTER TABLE ratings ADD CONSTRAINT ratings_half_stars
      CHECK (rating >= 0.5 AND rating <= 5 AND rating * 2 = floor(rating * 2))`.execute(db);
    return;
  }
  for (const event of ['INSERT', 'UPDATE OF rating'])
    await sql`CREATE TRIGGER ${sql.id(triggerName(event))} BEFORE ${sql.raw(event)} ON ratings
      WHEN NOT (NEW.rating >= 0.5 AND NEW.rating <= 5
        AND NEW.rating * 2 = CAST(NEW.rating * 2 AS INTEGER))
      BEGIN SELECT RAISE(ABORT, 'ratings_half_stars: a rating is 0.5 to 5 in half stars'); END`.execute(
      db,
    );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`ALTER TABLE ratings DROP CONSTRAINT ratings_half_stars`.execute(db);
    return;
  }
  for (const event of ['INSERT', 'UPDATE OF rating'])
    await sql`DROP TRIGGER ${sql.id(triggerName(event))}`.execute(db);
}

/** The nearest half star within 0.5–5 (ties upwards). */
export function snapToHalfStar(rating: number): number {
  return Math.min(5, Math.max(0.5, Math.floor(rating * 2 + 0.5) / 2));
}

function triggerName(event: string): string {
  return `ratings_half_stars_${event.split(' ')[0].toLowerCase()}`;
}
