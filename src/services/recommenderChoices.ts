/**
 * The recommenders a member can choose between (as MovieLens lets its members: Ekstrand et al.
 * 2015). Each orders the same candidates by its own score over the ranking model's items; the
 * stars stay the rating model's. Scores of -Infinity are never recommended.
 */
import type { FoldedUser, Model } from '../recsys/index.ts';

export const RECOMMENDER_CHOICES = [
  'for-you',
  'hidden-gems',
  'like-your-favourites',
  'popular',
] as const;
export type RecommenderChoice = (typeof RECOMMENDER_CHOICES)[number];
export const DEFAULT_RECOMMENDER_CHOICE: RecommenderChoice = 'for-you';

/** What the member reads on the switch. */
export const RECOMMENDER_CHOICE_LABELS: Readonly<
  Record<RecommenderChoice, { label: string; description: string }>
> = {
  'for-you': {
    label: 'Popular with people like you',
    description: 'What members who rate like you enjoyed (the ranking model).',
  },
  'hidden-gems': {
    label: 'Hidden gems',
    description: 'The same taste match, leaving out the most rated tenth of the catalog.',
  },
  'like-your-favourites': {
    label: 'Most similar to what you love',
    description: 'Movies closest to the ones you rated highest.',
  },
  popular: {
    label: 'Most popular',
    description: 'The most rated movies, the same for everyone.',
  },
};

/** Share of the catalog's most rated movies that hidden gems leave out. */
const HIDDEN_GEMS_POPULAR_SHARE = 0.1;
/** Highest-rated movies that "most similar to what you love" starts from. */
const FAVOURITES = 10;

/** Per ranking model, computed once: each item's rating count and the hidden-gems cut. */
export interface ItemPopularity {
  counts: Float64Array;
  /** Items rated more often than this are not hidden gems. */
  gemCeiling: number;
}

export function itemPopularity(model: Model, countOf: (item: number) => number): ItemPopularity {
  const counts = Float64Array.from({ length: model.itemIds.size }, (_, item) => countOf(item));
  const sorted = Float64Array.from(counts).sort();
  const cut = Math.floor(sorted.length * (1 - HIDDEN_GEMS_POPULAR_SHARE));
  return { counts, gemCeiling: sorted.length === 0 ? 0 : sorted[Math.max(0, cut - 1)] };
}

/** The member's score of every item of `model` under `choice` (higher first). */
export function choiceScores(
  choice: RecommenderChoice,
  model: Model,
  folded: FoldedUser,
  popularity: ItemPopularity,
): Float64Array {
  switch (choice) {
    case 'for-you':
      return model.scoreAll(folded);
    case 'hidden-gems': {
      const scores = model.scoreAll(folded);
      for (let i = 0; i < scores.length; i++)
        if (popularity.counts[i] > popularity.gemCeiling) scores[i] = -Infinity;
      return scores;
    }
    case 'like-your-favourites':
      return similarityToFavourites(model, folded);
    case 'popular':
      return Float64Array.from(popularity.counts);
  }
}

/** Σ over the member's highest-rated items of each item's similarity to them. */
function similarityToFavourites(model: Model, folded: FoldedUser): Float64Array {
  const scores = new Float64Array(model.itemIds.size);
  const order = Array.from(folded.items.keys()).sort(
    (a, b) => folded.ratings[b] - folded.ratings[a] || folded.items[a] - folded.items[b],
  );
  for (const k of order.slice(0, FAVOURITES)) {
    for (const similar of model.similarItems(folded.items[k], 100))
      scores[similar.item] += similar.score;
  }
  return scores;
}
