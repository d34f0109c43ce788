/**
 * Tags in a release. A tag is text a member wrote, so it goes out only when the policy says so,
 * only for (member, movie) pairs whose rating survived every transform (so it reveals no rating
 * the release left out), under the release's pseudonyms, dated like that rating (shifted and
 * coarsened by the same time transform), never with a username, and never when it looks like
 * an e-mail address.
 */
import type { Dataset, Ratings, Tag } from '../datasets/dataset.ts';
import { containsEmailAddress } from './emailText.ts';

export interface ReleasedTags {
  tags: Tag[];
  /** Tags of released pairs left out because their text looked like an e-mail address. */
  dropped: number;
}

/**
 * `released`: the released ratings (user ids are pseudonyms, timestamps transformed);
 * `releaseIdOf`: live user id → pseudonym, for the released users only.
 */
export function releaseTags(
  source: Dataset,
  released: Ratings,
  releaseIdOf: ReadonlyMap<number, number>,
): ReleasedTags {
  const pairTime = new Map<string, number>();
  for (let r = 0; r < released.length; r++) {
    const user = released.userIds.ids[released.userIndex[r]];
    const movie = released.itemIds.ids[released.itemIndex[r]];
    pairTime.set(`${user}:${movie}`, released.timestamp[r]);
  }
  const tags: Tag[] = [];
  const seen = new Set<string>();
  let dropped = 0;
  for (const tag of source.tags ?? []) {
    const userId = releaseIdOf.get(tag.userId);
    if (userId === undefined) continue;
    const timestamp = pairTime.get(`${userId}:${tag.movieId}`);
    if (timestamp === undefined) continue;
    const text = tag.tag.normalize('NFKC').trim();
    const key = `${userId}:${tag.movieId}:${text.toLowerCase()}`;
    if (text === '' || seen.has(key)) continue;
    seen.add(key);
    if (containsEmailAddress(text)) {
      dropped++;
      continue;
    }
    tags.push({ userId, movieId: tag.movieId, tag: text, timestamp });
  }
  return { tags, dropped };
}
