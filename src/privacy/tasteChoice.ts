/**
 * Which of a policy's rating settings a release applies (policy ratings.alternatives): the one
 * whose swap's taste model predicts the members best (memberGroups.ts heldOutTasteFit).
 */
import type { Dataset, Ratings } from '../datasets/dataset.ts';
import { heldOutTasteFit } from './memberGroups.ts';
import { ratingsCandidates, type Policy, type RatingsSettings } from './policy.ts';

/** Each candidate's taste model and held-out RMSE (ratingsCandidates order), and the one applied. */
export interface TasteChoice {
  candidates: Array<{ plausibility: string; heldOutRmse: number }>;
  chosen: number;
}

/**
 * The rating settings a release applies: the policy's own, or with alternatives the candidate
 * whose swap's taste model best predicts the members (a swap deals each rating to a member the
 * model expects to have given it, so the release leans towards that model: the one nearest the
 * true data leans it least, and keeps the algorithms' true order).
 */
export function chooseRatings(
  policy: Policy,
  members: Ratings,
  seed: number,
  scale: Dataset['scale'],
): { settings: RatingsSettings; choice: TasteChoice | null } {
  const candidates = ratingsCandidates(policy.ratings);
  if (candidates.length === 1 || members.length === 0)
    return { settings: candidates[0], choice: null };
  const models = candidates.map((candidate) => candidate.swap.plausibility);
  const rmse = heldOutTasteFit(members, models, seed, scale);
  const chosen = rmse.indexOf(Math.min(...rmse));
  return {
    settings: candidates[chosen],
    choice: {
      candidates: models.map((plausibility, k) => ({ plausibility, heldOutRmse: rmse[k] })),
      chosen,
    },
  };
}

/** The rating settings a release applied (its policy's own, or the alternative it chose). */
export function appliedRatings(policy: Policy, choice: TasteChoice | null): RatingsSettings {
  return ratingsCandidates(policy.ratings)[choice?.chosen ?? 0];
}
