/**
 * The rating matrix every algorithm trains on: compressed sparse rows by user (CSR) and by item
 * (CSC) over typed arrays, with the dense index maps of the columnar dataset it was built from.
 */
import { IdIndex, type RatingScale, type Ratings } from '../datasets/dataset.ts';

/** A RatingMatrix as plain data, for another thread (structured clone: typed arrays and numbers). */
export type WireMatrix = Omit<
  RatingMatrix,
  'userCount' | 'itemCount' | 'ratingOf' | 'toWire' | 'userIds' | 'itemIds'
> & { userIds: Int32Array; itemIds: Int32Array };

export class RatingMatrix {
  /** Number of users (rows), equal to userIds.size. */
  readonly users: number;
  /** Number of items (columns), equal to itemIds.size. */
  readonly items: number;
  /** Number of ratings (non-zeros). */
  readonly length: number;
  /** Ratings of user u are at positions userPtr[u] .. userPtr[u+1]-1, sorted by item index. */
  readonly userPtr: Int32Array;
  readonly userItems: Int32Array;
  readonly userRatings: Float32Array;
  /** Ratings of item i are at positions itemPtr[i] .. itemPtr[i+1]-1, sorted by user index. */
  readonly itemPtr: Int32Array;
  readonly itemUsers: Int32Array;
  readonly itemRatings: Float32Array;
  /** Mean of all ratings (0 when empty). */
  readonly globalMean: number;
  readonly userIds: IdIndex;
  readonly itemIds: IdIndex;
  /** The rating scale predictions are clipped to. */
  readonly scale: RatingScale;

  private constructor(
    fields: Omit<RatingMatrix, 'userCount' | 'itemCount' | 'ratingOf' | 'toWire'>,
  ) {
    this.users = fields.users;
    this.items = fields.items;
    this.length = fields.length;
    this.userPtr = fields.userPtr;
    this.userItems = fields.userItems;
    this.userRatings = fields.userRatings;
    this.itemPtr = fields.itemPtr;
    this.itemUsers = fields.itemUsers;
    this.itemRatings = fields.itemRatings;
    this.globalMean = fields.globalMean;
    this.userIds = fields.userIds;
    this.itemIds = fields.itemIds;
    this.scale = fields.scale;
  }

  /**
   * Builds both orientations in linear time (two counting sorts). Rows keep the dense indexes
   * of `ratings` (so users or items without ratings get empty rows). The scale defaults to the
   * smallest and largest rating present, in half steps when a rating is not a whole star.
   */
  static fromRatings(ratings: Ratings, scale?: RatingScale): RatingMatrix {
    const users = ratings.userIds.size;
    const items = ratings.itemIds.size;
    const n = ratings.length;
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let r = 0; r < n; r++) {
      const value = ratings.rating[r];
      sum += value;
      if (value < min) min = value;
      if (value > max) max = value;
    }
    // Item-major pass first so the user rows come out sorted by item (and vice versa).
    const itemPtr = countPointers(ratings.itemIndex, items);
    const byItem = new Int32Array(n);
    const cursor = itemPtr.slice(0, items);
    for (let r = 0; r < n; r++) byItem[cursor[ratings.itemIndex[r]]++] = r;
    // Stable sort by user over rows sorted by item → user rows sorted by item.
    const userPtr = countPointers(ratings.userIndex, users);
    const userItems = new Int32Array(n);
    const userRatings = new Float32Array(n);
    const userCursor = userPtr.slice(0, users);
    for (let k = 0; k < n; k++) {
      const r = byItem[k];
      const position = userCursor[ratings.userIndex[r]]++;
      userItems[position] = ratings.itemIndex[r];
      userRatings[position] = ratings.rating[r];
    }
    // Walking user rows in order fills item columns sorted by user.
    const itemUsers = new Int32Array(n);
    const itemRatings = new Float32Array(n);
    const itemCursor = itemPtr.slice(0, items);
    for (let u = 0; u < users; u++) {
      for (let p = userPtr[u]; p < userPtr[u + 1]; p++) {
        const position = itemCursor[userItems[p]]++;
        itemUsers[position] = u;
        itemRatings[position] = userRatings[p];
      }
    }
    return new RatingMatrix({
      users,
      items,
      length: n,
      userPtr,
      userItems,
      userRatings,
      itemPtr,
      itemUsers,
      itemRatings,
      globalMean: n > 0 ? sum / n : 0,
      userIds: ratings.userIds,
      itemIds: ratings.itemIds,
      scale: scale ?? { min: n > 0 ? min : 1, max: n > 0 ? max : 5, step: stepOf(ratings.rating) },
    });
  }

  /** The matrix as plain data: `fromWire` of it on another thread is the same matrix. */
  toWire(): WireMatrix {
    return { ...this, userIds: this.userIds.ids, itemIds: this.itemIds.ids };
  }

  static fromWire(wire: WireMatrix): RatingMatrix {
    return new RatingMatrix({
      ...wire,
      userIds: new IdIndex(wire.userIds),
      itemIds: new IdIndex(wire.itemIds),
    });
  }

  /** Number of ratings of user u. */
  userCount(u: number): number {
    return this.userPtr[u + 1] - this.userPtr[u];
  }

  /** Number of ratings of item i. */
  itemCount(i: number): number {
    return this.itemPtr[i + 1] - this.itemPtr[i];
  }

  /** The rating user u gave item i, or NaN (binary search in the user's row). */
  ratingOf(u: number, i: number): number {
    let low = this.userPtr[u];
    let high = this.userPtr[u + 1] - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const item = this.userItems[middle];
      if (item === i) return this.userRatings[middle];
      if (item < i) low = middle + 1;
      else high = middle - 1;
    }
    return NaN;
  }
}

function countPointers(index: Int32Array, size: number): Int32Array {
  const pointers = new Int32Array(size + 1);
  for (let r = 0; r < index.length; r++) pointers[index[r] + 1]++;
  for (let k = 0; k < size; k++) pointers[k + 1] += pointers[k];
  return pointers;
}

/** 1 when every rating is a whole number, else 0.5 (half stars). */
function stepOf(rating: Float32Array): number {
  for (let r = 0; r < rating.length; r++) if (!Number.isInteger(rating[r])) return 0.5;
  return 1;
}
