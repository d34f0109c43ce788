/** Request and response shapes of member lists and tags (ui/src/types.ts infers its types). */
import { z } from 'zod';
import { MEMBER_LISTS } from '../services/memberLists.ts';
import { MovieSummary } from './schemas.ts';

export const ListName = z.enum(MEMBER_LISTS).describe('wishlist ("want to watch") or hidden');

export const MemberLists = z
  .object({ wishlist: z.array(MovieSummary), hidden: z.array(MovieSummary) })
  .meta({ id: 'MemberLists' });

export const MovieListState = z.object({ list: ListName.nullable() });

export const TagCount = z
  .object({ tag: z.string(), count: z.number().int().describe('members who gave this tag') })
  .meta({ id: 'TagCount' });

export const MovieTags = z
  .object({
    tags: z.array(TagCount),
    mine: z.array(z.string()).describe('your own tags of the movie (empty for visitors)'),
  })
  .meta({ id: 'MovieTags' });

export const TaggedMovie = MovieSummary.extend({ tagCount: z.number().int() });

export const TagPage = z
  .object({ tag: z.string(), items: z.array(TaggedMovie), total: z.number().int() })
  .meta({ id: 'TagPage' });
