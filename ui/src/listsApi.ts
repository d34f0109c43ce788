// The API of member lists (wishlist, hidden movies) and tags.
import { request } from './api.ts';
import type { ListName, MemberLists, MovieTags, TagCount, TagPage } from './types.ts';

const tagPath = (tag: string) => encodeURIComponent(tag);

export const listsApi = {
  lists: () => request<MemberLists>('GET', '/api/lists'),
  listOf: (movieId: number) =>
    request<{ list: ListName | null }>('GET', `/api/lists/movies/${movieId}`),
  add: (list: ListName, movieId: number) => request<void>('PUT', `/api/lists/${list}/${movieId}`),
  remove: (list: ListName, movieId: number) =>
    request<void>('DELETE', `/api/lists/${list}/${movieId}`),

  movieTags: (movieId: number) => request<MovieTags>('GET', `/api/movies/${movieId}/tags`),
  tag: (movieId: number, tag: string) =>
    request<{ tag: string }>('POST', `/api/movies/${movieId}/tags`, { tag }),
  untag: (movieId: number, tag: string) =>
    request<void>('DELETE', `/api/movies/${movieId}/tags/${tagPath(tag)}`),
  searchTags: (q: string) => request<TagCount[]>('GET', '/api/tags', undefined, { q }),
  tagPage: (tag: string) => request<TagPage>('GET', `/api/tags/${tagPath(tag)}`),
};

/** The page of a tag. */
export function tagLink(tag: string): string {
  return `/tags/${tagPath(tag)}`;
}
