/**
 * What follows a member's change, in memory: a rating set or removed, a recommender chosen, a
 * movie put on or taken off a list, an account deleted. The
 * workflows (ratings.ts `rateMovie`/`removeRating`, memberLists.ts `addToList`/`removeFromList`,
 * accountDeletion.ts `deleteAccount`) write
 * the database, then tell every registered listener once: the catalog's statistics, the
 * recommender's state, the experiment variants' models, the session cache, the event log.
 */
import type { MemberList } from './memberLists.ts';
import type { StoredRating } from './ratings.ts';
import type { RecommenderChoice } from './recommenderChoices.ts';

export interface RatingChange {
  memberId: number;
  movieId: number;
  /** The new rating; null when it was removed. */
  rating: number | null;
  previousRating: number | null;
  /** Unix seconds of the new rating (0 when removed). */
  ratedAt: number;
}

export interface RecommenderChoiceChange {
  memberId: number;
  choice: RecommenderChoice;
  previousChoice: RecommenderChoice;
}

export interface ListChange {
  memberId: number;
  movieId: number;
  /** The list the movie is on now (it left the other one); null when it was taken off. */
  list: MemberList | null;
}

export interface MemberChangeListener {
  ratingChanged?(change: RatingChange): void;
  recommenderChosen?(change: RecommenderChoiceChange): void;
  listChanged?(change: ListChange): void;
  /** After the deletion committed; `ratings` are the ratings it removed. */
  memberDeleted?(memberId: number, ratings: readonly StoredRating[]): void;
}

/** Members whose deletion began, remembered so late events of theirs are dropped. */
const REMEMBERED_DELETIONS = 10_000;

export class MemberChanges {
  private readonly listeners: MemberChangeListener[] = [];
  private readonly deleted = new Set<number>();

  /** Adds a listener; listeners hear of changes in the order they were added. */
  listen(listener: MemberChangeListener): void {
    this.listeners.push(listener);
  }

  ratingChanged(change: RatingChange): void {
    for (const listener of this.listeners) listener.ratingChanged?.(change);
  }

  recommenderChosen(change: RecommenderChoiceChange): void {
    for (const listener of this.listeners) listener.recommenderChosen?.(change);
  }

  listChanged(change: ListChange): void {
    for (const listener of this.listeners) listener.listChanged?.(change);
  }

  /**
   * The member's deletion begins: from now on `isDeleted` is true for them (the deleting
   * request's own page event, predictions still being logged are dropped). `undo` if it fails.
   */
  deleting(memberId: number): { undo: () => void } {
    if (this.deleted.size >= REMEMBERED_DELETIONS) this.deleted.clear();
    this.deleted.add(memberId);
    return { undo: () => this.deleted.delete(memberId) };
  }

  memberDeleted(memberId: number, ratings: readonly StoredRating[]): void {
    for (const listener of this.listeners) listener.memberDeleted?.(memberId, ratings);
  }

  isDeleted(memberId: number | null | undefined): boolean {
    return memberId !== null && memberId !== undefined && this.deleted.has(memberId);
  }
}
