/**
 * A member's choice of recommender (recommenderChoices.ts): remembered in `recommender_choices`,
 * and each choice or switch reported to the MemberChanges listeners (the live recommenders, the
 * event log's `recommender_chosen`).
 */
import type { Db } from '../db/connection.ts';
import { writeNote } from './changeLog.ts';
import { invalid } from './errors.ts';
import type { MemberChanges } from './memberChanges.ts';
import {
  DEFAULT_RECOMMENDER_CHOICE,
  RECOMMENDER_CHOICES,
  type RecommenderChoice,
} from './recommenderChoices.ts';

export function isRecommenderChoice(value: unknown): value is RecommenderChoice {
  return (RECOMMENDER_CHOICES as readonly unknown[]).includes(value);
}

/** The member's remembered choice, or undefined when they never chose. */
async function storedChoice(db: Db, memberId: number): Promise<RecommenderChoice | undefined> {
  const row = await db.kysely
    .selectFrom('recommender_choices')
    .select('choice')
    .where('user_id', '=', memberId)
    .executeTakeFirst();
  return isRecommenderChoice(row?.choice) ? row.choice : undefined;
}

/** The member's chosen recommender (the default when they never chose). */
export async function recommenderChoiceOf(db: Db, memberId: number): Promise<RecommenderChoice> {
  return (await storedChoice(db, memberId)) ?? DEFAULT_RECOMMENDER_CHOICE;
}

/**
 * Remembers the member's choice and tells the listeners (choosing the same one again is logged
 * too: it is a click the member made). A name not offered is refused.
 */
export async function chooseRecommender(
  db: Db,
  changes: MemberChanges,
  memberId: number,
  choice: unknown,
): Promise<RecommenderChoice> {
  if (!isRecommenderChoice(choice))
    throw invalid(`choice: must be one of ${RECOMMENDER_CHOICES.join(', ')}`);
  const stored = await storedChoice(db, memberId);
  // The time is when the member began using this recommender: choosing it again keeps it.
  const previousChoice = stored ?? DEFAULT_RECOMMENDER_CHOICE;
  const change = { memberId, choice, previousChoice };
  if (stored !== choice) {
    const chosenAt = Date.now();
    await db.kysely.transaction().execute(async (trx) => {
      await trx
        .insertInto('recommender_choices')
        .values({ user_id: memberId, choice, chosen_at_ms: chosenAt })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ choice, chosen_at_ms: chosenAt }))
        .execute();
      // Other nodes follow a switch (choosing the same again changes nothing they hold).
      await writeNote(trx, changes.node, { kind: 'choice', change });
    });
  }
  changes.recommenderChosen(change);
  return choice;
}
