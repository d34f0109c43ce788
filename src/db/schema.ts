import type { Generated } from 'kysely';

/** Table types for Kysely. Times are Unix seconds; booleans are 0/1 integers (portable). */
export interface MoviesTable {
  id: number;
  title: string;
  year: number | null;
  /** Pipe-separated, as in the MovieLens files. */
  genres: string;
}

export interface UsersTable {
  /** The numeric pseudonymous id: the only way anything outside the vault knows a member. */
  id: number;
  created_at: number;
  gender: string | null;
  /** Years, or the lower bound of an ML-1M age bucket. */
  age: number | null;
  occupation: number | null;
  zip: string | null;
  /** 'import' for members of a research dataset, 'signup' for members who registered. */
  origin: string;
  /** 1 when the member's ratings may go into research releases. */
  research_consent: number;
}

/** The identity vault (filled by the web site); only the vault module reads or writes it. */
export interface IdentitiesTable {
  user_id: number;
  email_ciphertext: string;
  email_blind_index: string;
  password_hash: string;
  created_at: number;
  updated_at: number;
}

export interface RatingsTable {
  user_id: number;
  movie_id: number;
  rating: number;
  rated_at: number;
}

export interface Database {
  movies: MoviesTable;
  users: UsersTable;
  identities: IdentitiesTable;
  ratings: RatingsTable;
}

export type { Generated };
