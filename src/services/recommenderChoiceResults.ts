/**
 * The recommender choice as an experiment dimension of the console: members grouped by the
 * recommender they chose, each counted from the time of their choice (members who never chose
 * are served the default and are not counted), with the experiment metrics per group
 * (experimentResults.ts) and how many choices and switches the event log holds.
 */
import type { Db } from '../db/connection.ts';
import { groupOutcomes, type ExperimentResults } from './experimentResults.ts';
import { RECOMMENDER_CHOICES } from './recommenderChoices.ts';

export interface RecommenderChoiceResults extends Pick<
  ExperimentResults,
  'variants' | 'readings' | 'charts'
> {
  until: Date;
  /** `recommender_chosen` events: every choice, and those that changed the recommender. */
  choices: number;
  switches: number;
}

export async function recommenderChoiceResults(
  db: Db,
  untilMs: number,
): Promise<RecommenderChoiceResults> {
  const rows = await db.kysely
    .selectFrom('recommender_choices')
    .select(['user_id', 'choice', 'chosen_at_ms'])
    .orderBy('user_id')
    .execute();
  const assignments = rows.map((row) => ({
    user_id: row.user_id,
    variant: row.choice,
    exposed_at_ms: Number(row.chosen_at_ms),
  }));
  const members = (name: string) => assignments.filter((a) => a.variant === name).length;
  const groups = RECOMMENDER_CHOICES.map((name) => ({
    name,
    weight: members(name),
    share: assignments.length === 0 ? 0 : members(name) / assignments.length,
  }));
  let choices = 0;
  let switches = 0;
  const events = await db.kysely
    .selectFrom('events')
    .select('payload')
    .where('kind', '=', 'recommender_chosen')
    .where('occurred_at_ms', '<', untilMs)
    .execute();
  for (const event of events) {
    const data = JSON.parse(event.payload) as { choice: string; previousChoice: string };
    choices++;
    if (data.choice !== data.previousChoice) switches++;
  }
  return {
    until: new Date(Math.min(untilMs, 8.64e15)),
    ...(await groupOutcomes(db, groups, assignments, untilMs)),
    choices,
    switches,
  };
}
