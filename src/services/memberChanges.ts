/**
 * What follows a change that in-memory state must see, on every app node of one database: a
 * rating set or removed, a recommender chosen, a movie put on or taken off a list, an account
 * deleted, a member's sessions ended, an experiment started or stopped, a model published. The
 * workflows (ratings.ts `rateMovie` / `removeRating`, memberLists.ts `addToList` /
 * `removeFromList`, accountDeletion.ts `deleteAccount`, …) write the database together with a note
 * in the change log (changeLog.ts, stamped with this node's id), then tell every registered
 * listener once: the catalog's statistics, the recommender's state, the experiment variants'
 * models, the session cache, the event log. The change feed (changeFeed.ts) hands the notes of
 * the other nodes to `applyRemote`, which tells the listeners that follow other nodes (all but
 * the event log: the node that made a change logged its event).
 */
import { randomBytes } from 'node:crypto';
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

/** A change as the change log carries it between nodes. */
export type ChangeNote =
  | { kind: 'rating'; change: RatingChange }
  | { kind: 'choice'; change: RecommenderChoiceChange }
  | { kind: 'list'; change: ListChange }
  | { kind: 'deletion'; memberId: number; ratings: StoredRating[] }
  | { kind: 'sessions'; memberId: number }
  | { kind: 'experiments' }
  | { kind: 'model' };

export type ChangeKind = ChangeNote['kind'];

export interface MemberChangeListener {
  ratingChanged?(change: RatingChange): void;
  recommenderChosen?(change: RecommenderChoiceChange): void;
  listChanged?(change: ListChange): void;
  /** After the deletion committed; `ratings` are the ratings it removed. */
  memberDeleted?(memberId: number, ratings: readonly StoredRating[]): void;
  // Only other nodes' changes of these kinds are told (the node that made one updated itself).
  /** Some of the member's sessions were ended (logout, password change or reset). */
  sessionsEnded?(memberId: number): void;
  /** An experiment was started or stopped. */
  experimentsChanged?(): void;
  /** A model was published to the database. */
  modelPublished?(): void;
}

/** Members whose deletion began, remembered so late events of theirs are dropped. */
const REMEMBERED_DELETIONS = 10_000;

export class MemberChanges {
  /** This process's id in the change log (its own notes are not applied twice). */
  readonly node = randomBytes(8).toString('hex');
  private readonly listeners: Array<{ listener: MemberChangeListener; remote: boolean }> = [];
  private readonly deleted = new Set<number>();

  /**
   * Adds a listener; listeners hear of changes in the order they were added. `remote: false`:
   * only of the changes made on this node.
   */
  listen(listener: MemberChangeListener, { remote = true } = {}): void {
    this.listeners.push({ listener, remote });
  }

  ratingChanged(change: RatingChange): void {
    this.tell({ kind: 'rating', change }, false);
  }

  recommenderChosen(change: RecommenderChoiceChange): void {
    this.tell({ kind: 'choice', change }, false);
  }

  listChanged(change: ListChange): void {
    this.tell({ kind: 'list', change }, false);
  }

  /**
   * The member's deletion begins: from now on `isDeleted` is true for them (the deleting
   * request's own page event, predictions still being logged are dropped). `undo` if it fails.
   */
  deleting(memberId: number): { undo: () => void } {
    this.remember(memberId);
    return { undo: () => this.deleted.delete(memberId) };
  }

  memberDeleted(memberId: number, ratings: readonly StoredRating[]): void {
    this.tell({ kind: 'deletion', memberId, ratings: [...ratings] }, false);
  }

  /** A change another node made (read from the change log). */
  applyRemote(note: ChangeNote): void {
    if (note.kind === 'deletion') this.remember(note.memberId);
    this.tell(note, true);
  }

  isDeleted(memberId: number | null | undefined): boolean {
    return memberId !== null && memberId !== undefined && this.deleted.has(memberId);
  }

  private remember(memberId: number): void {
    if (this.deleted.size >= REMEMBERED_DELETIONS) this.deleted.clear();
    this.deleted.add(memberId);
  }

  private tell(note: ChangeNote, remote: boolean): void {
    for (const { listener, remote: follows } of this.listeners) {
      if (remote && !follows) continue;
      switch (note.kind) {
        case 'rating':
          listener.ratingChanged?.(note.change);
          break;
        case 'choice':
          listener.recommenderChosen?.(note.change);
          break;
        case 'list':
          listener.listChanged?.(note.change);
          break;
        case 'deletion':
          listener.memberDeleted?.(note.memberId, note.ratings);
          break;
        case 'sessions':
          listener.sessionsEnded?.(note.memberId);
          break;
        case 'experiments':
          listener.experimentsChanged?.();
          break;
        case 'model':
          listener.modelPublished?.();
          break;
      }
    }
  }
}
