// Shapes of the lenslab JSON API (docs/api.md is the contract).

export interface Member {
  id: number;
  username: string | null;
  onboarded: boolean;
  ratingsCount: number;
  roles: string[];
}

export interface SessionInfo {
  member: Member | null;
  csrfToken: string;
}

export interface MovieSummary {
  id: number;
  title: string;
  year: number | null;
  genres: string[];
  averageRating: number | null;
  ratingsCount: number;
  predictedRating: number | null;
  yourRating: number | null;
}

export interface MovieDetail extends MovieSummary {
  /** Counts of 1..5-star ratings. */
  histogram: number[];
  similar: MovieSummary[];
}

export interface RatedBecause {
  id: number;
  title: string;
  yourRating: number;
}

export interface Recommendation extends MovieSummary {
  predictedRating: number;
  reason: { becauseYouRated: RatedBecause[] } | null;
}

export interface RecommendationList {
  items: Recommendation[];
  model: { algorithm: string; version: string | number };
}

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

export interface RatedMovie extends MovieSummary {
  rating: number;
  ratedAt: string;
}

export interface RatingSaved {
  movieId: number;
  rating: number;
  ratedAt: string;
}

export type RatingsVisibility = 'public' | 'anonymous' | 'private';

export interface Privacy {
  ratingsVisibility: RatingsVisibility;
  researchConsent: boolean;
  emailUpdates: boolean;
  username: string | null;
}

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

/** An RFC 9457 problem document, as the server sends for every error. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  errors?: Array<{ path?: string; message?: string }>;
}
