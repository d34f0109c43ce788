// The lenslab API client: JSON in and out, the session's CSRF token on every state-changing
// request, and problem+json errors turned into ApiError.
import type {
  Board,
  BoardPage,
  GroupRecommendations,
  Member,
  MemberStats,
  MovieGroups,
  MemberHome,
  MovieDetail,
  MoviePage,
  MovieSummary,
  Page,
  Privacy,
  Problem,
  PublicProfile,
  RatedMovie,
  RatingSaved,
  ReadyLists,
  RecommendationList,
  RecommenderChoice,
  RecommenderChoiceState,
  SessionInfo,
  SharedRating,
  ThreadPage,
} from './types.ts';

let csrfToken = '';

/** Remembers the CSRF token of the current session (from /api/session, login or register). */
export function setCsrfToken(token: string | undefined | null): void {
  csrfToken = token ?? '';
}

/** An error answer from the API, carrying its problem document. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    super(problem.detail ?? problem.title ?? `The server answered ${status}.`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
}

export type Query = Record<string, string | number | boolean | null | undefined>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  query?: Query,
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(withQuery(path, query), {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, {
      title: 'Network error',
      detail: 'The lenslab server could not be reached. Check your connection and try again.',
    });
  }
  const type = response.headers.get('content-type') ?? '';
  const isJson = type.includes('json');
  if (!response.ok) {
    let problem: Problem = { status: response.status, title: response.statusText };
    if (isJson) {
      try {
        problem = { status: response.status, ...((await response.json()) as Problem) };
      } catch {
        // keep the status line
      }
    }
    throw new ApiError(response.status, problem);
  }
  if (response.status === 204 || !isJson) return undefined as T;
  return (await response.json()) as T;
}

export interface MovieQuery extends Query {
  q?: string;
  genre?: string;
  yearFrom?: number | string;
  yearTo?: number | string;
  sort?: string;
  page?: number;
  pageSize?: number;
}

export interface AuthAnswer {
  member?: Member;
  csrfToken?: string;
  status?: string;
}

export const api = {
  session: () => request<SessionInfo>('GET', '/api/session'),
  register: (email: string, password: string, researchConsent: boolean) =>
    request<AuthAnswer>('POST', '/api/auth/register', { email, password, researchConsent }),
  /** Follows a sign-up link with the password chosen at sign-up: creates the account, logs in. */
  verifySignup: (token: string, password: string) =>
    request<AuthAnswer>('POST', '/api/auth/register/verify', { token, password }),
  /** Mails the sign-up link again (the server answers the same whatever the address). */
  resendSignupLink: (email: string) =>
    request<void>('POST', '/api/auth/register/resend', { email }),
  login: (email: string, password: string) =>
    request<AuthAnswer>('POST', '/api/auth/login', { email, password }),
  logout: () => request<void>('POST', '/api/auth/logout'),
  requestPasswordReset: (email: string) =>
    request<void>('POST', '/api/auth/password-reset', { email }),
  confirmPasswordReset: (token: string, password: string) =>
    request<void>('POST', '/api/auth/password-reset/confirm', { token, password }),

  genres: () => request<string[]>('GET', '/api/genres'),
  movies: (query: MovieQuery) => request<MoviePage>('GET', '/api/movies', undefined, query),
  movie: (id: number) => request<MovieDetail>('GET', `/api/movies/${id}`),
  sharedRatings: (id: number, page: number) =>
    request<Page<SharedRating>>('GET', `/api/movies/${id}/ratings`, undefined, { page }),
  onboardingMovies: (n: number) =>
    request<MovieSummary[]>('GET', '/api/onboarding/movies', undefined, { n }),
  readyLists: (n: number) => request<ReadyLists>('GET', '/api/movies/lists', undefined, { n }),
  movieGroups: () => request<MovieGroups>('GET', '/api/onboarding/groups'),
  /** Stores the picked groups; answers the first recommendations from them. */
  pickGroups: (groups: number[]) =>
    request<GroupRecommendations>('PUT', '/api/me/groups', { groups }),
  groupRecommendations: (n: number) =>
    request<GroupRecommendations>('GET', '/api/me/groups/recommendations', undefined, { n }),
  stats: () => request<MemberStats>('GET', '/api/me/stats'),

  rate: (movieId: number, rating: number) =>
    request<RatingSaved>('PUT', `/api/ratings/${movieId}`, { rating }),
  unrate: (movieId: number) => request<void>('DELETE', `/api/ratings/${movieId}`),
  ratings: (page: number, pageSize = 50) =>
    request<Page<RatedMovie>>('GET', '/api/ratings', undefined, { page, pageSize }),
  /** Reports a click on a recommended movie (1-based position) to the research event log. */
  recommendationClick: (movieId: number, position: number) =>
    request<void>('POST', '/api/events/click', { movieId, position, context: 'recommendations' }),
  recommendations: (n: number, genre?: string) =>
    request<RecommendationList>('GET', '/api/recommendations', undefined, { n, genre }),
  memberHome: () => request<MemberHome>('GET', '/api/recommendations/home'),
  recommenderChoice: () => request<RecommenderChoiceState>('GET', '/api/recommendations/choice'),
  chooseRecommender: (choice: RecommenderChoice) =>
    request<RecommenderChoiceState>('PUT', '/api/recommendations/choice', { choice }),

  privacy: () => request<Privacy>('GET', '/api/me/privacy'),
  updatePrivacy: (changes: Partial<Privacy>) =>
    request<Privacy>('PATCH', '/api/me/privacy', changes),
  account: () => request<{ email: string }>('GET', '/api/me/account'),
  updateAccount: (changes: { currentPassword: string; email?: string; newPassword?: string }) =>
    request<void>('PATCH', '/api/me/account', changes),
  /** Follows a change-of-address link mailed to the new address (no login needed). */
  confirmEmailChange: (token: string) =>
    request<{ status: string }>('POST', '/api/auth/email-change/confirm', { token }),
  deleteAccount: (password: string) => request<void>('DELETE', '/api/me', { password }),
  profile: (username: string) =>
    request<PublicProfile>('GET', `/api/users/${encodeURIComponent(username)}`),

  boards: () => request<Board[]>('GET', '/api/boards'),
  board: (slug: string, page = 1) =>
    request<BoardPage>('GET', `/api/boards/${encodeURIComponent(slug)}`, undefined, { page }),
  createThread: (slug: string, title: string, body: string) =>
    request<{ id: number }>('POST', `/api/boards/${encodeURIComponent(slug)}/threads`, {
      title,
      body,
    }),
  thread: (id: number) => request<ThreadPage>('GET', `/api/threads/${id}`),
  reply: (threadId: number, body: string) =>
    request<{ id: number }>('POST', `/api/threads/${threadId}/posts`, { body }),
  editPost: (id: number, body: string) => request<unknown>('PATCH', `/api/posts/${id}`, { body }),
  deletePost: (id: number) => request<void>('DELETE', `/api/posts/${id}`),
};

/** A sentence for any error, for places that cannot show a full problem. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
