// Shapes of the lenslab JSON API (docs/api.md is the contract). Where the server exports the zod
// schema of a shape (src/http/schemas.ts), the type is inferred from it (`import type`: nothing
// of the server is bundled); the others are written out here.
import type { z } from 'zod';
import type * as ListSchemas from '../../src/http/listSchemas.ts';
import type * as Schemas from '../../src/http/schemas.ts';
import type * as HomeSchemas from '../../src/http/homeSchemas.ts';

export type Member = z.infer<typeof Schemas.Member>;
export type SessionInfo = z.infer<typeof Schemas.SessionInfo>;
export type MovieSummary = z.infer<typeof Schemas.MovieSummary>;
/** Search results; `didYouMean`: the query with its typos corrected (docs/api.md). */
export type MoviePage = z.infer<typeof Schemas.MoviePage>;
/** `histogram`: counts of 1..5-star ratings. */
export type MovieDetail = z.infer<typeof Schemas.MovieDetail>;
export type Recommendation = z.infer<typeof Schemas.Recommendation>;
export type SharedRating = z.infer<typeof Schemas.SharedRating>;
export type RatedBecause = NonNullable<Recommendation['reason']>['becauseYouRated'][number];

export type RecommendationList = z.infer<typeof Schemas.RecommendationList>;
export type MemberHome = z.infer<typeof Schemas.MemberHome>;
export type RecommenderChoiceState = z.infer<typeof Schemas.RecommenderChoiceState>;
export type RecommenderChoice = RecommenderChoiceState['choice'];

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

export type RatedMovie = z.infer<typeof Schemas.RatedMovie>;

export type ReadyLists = z.infer<typeof HomeSchemas.ReadyLists>;
export type MovieGroups = z.infer<typeof HomeSchemas.MovieGroups>;
export type MovieGroup = z.infer<typeof HomeSchemas.MovieGroup>;
export type GroupRecommendations = z.infer<typeof HomeSchemas.GroupRecommendations>;
export type MemberStats = z.infer<typeof HomeSchemas.MemberStats>;

export interface RatingSaved {
  movieId: number;
  rating: number;
  ratedAt: string;
}

export type RatingsVisibility = z.infer<typeof Schemas.Visibility>;
export type Privacy = z.infer<typeof Schemas.Privacy>;

export interface PublicProfile {
  username: string;
  ratings: Array<MovieSummary & { rating: number }> | null;
}

export interface Board {
  id: number;
  slug: string;
  name: string;
  description: string;
  threads: number;
}

export interface ThreadSummary {
  id: number;
  title: string;
  author: string | null;
  posts: number;
  createdAt?: string;
  lastPostAt: string | null;
}

export interface BoardPage {
  board: Board;
  threads: ThreadSummary[];
  page?: number;
  total?: number;
}

export interface Post {
  id: number;
  author: string | null;
  bodyHtml: string;
  body: string;
  createdAt: string;
  editedAt: string | null;
  mine: boolean;
}

export interface ThreadPage {
  thread: {
    id: number;
    title: string;
    author?: string | null;
    board: { slug: string; name: string };
    createdAt?: string;
  };
  posts: Post[];
}

/**
 * An RFC 9457 problem document, as the server sends for every error; the client also makes
 * partial ones (a network error, a status line without a body).
 */
export type Problem = Partial<z.infer<typeof Schemas.Problem>>;

// Member lists and tags (src/http/listSchemas.ts).
export type ListName = z.infer<typeof ListSchemas.ListName>;
export type MemberLists = z.infer<typeof ListSchemas.MemberLists>;
export type TagCount = z.infer<typeof ListSchemas.TagCount>;
export type MovieTags = z.infer<typeof ListSchemas.MovieTags>;
export type TagPage = z.infer<typeof ListSchemas.TagPage>;
