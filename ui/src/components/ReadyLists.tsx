// The home page's ready lists, as on movielens.org: new additions, top rated (with a minimum
// number of ratings) and recently released.
import type { ReactNode } from 'react';
import { api } from '../api.ts';
import { useLoad } from '../hooks.ts';
import type { MovieSummary } from '../types.ts';
import { ErrorMessage, Loading } from './ErrorMessage.tsx';
import { MovieCard, MovieGrid } from './MovieCard.tsx';

/** Movies per ready list. */
const SHOWN = 8;

/**
 * The ready lists. `above`: movies already on the page (top picks, shelves); like every shelf,
 * a list repeats none of them, nor a movie of a list above it.
 */
export function ReadyLists({ above = [] }: { above?: readonly number[] }) {
  const lists = useLoad(() => api.readyLists(SHOWN * 3), []);
  if (lists.error) return <ErrorMessage error={lists.error} title="Could not load the lists." />;
  if (!lists.data) return lists.loading ? <Loading /> : null;
  const { newAdditions, topRated, recentlyReleased, minRatings } = lists.data;
  const shown = new Set(above);
  const fresh = (movies: MovieSummary[]) => {
    const kept = movies.filter((movie) => !shown.has(movie.id)).slice(0, SHOWN);
    for (const movie of kept) shown.add(movie.id);
    return kept;
  };
  return (
    <>
      <ReadyList id="top-rated" title="Top rated" movies={fresh(topRated)}>
        Highest damped average among movies with at least {minRatings} ratings.
      </ReadyList>
      <ReadyList id="recently-released" title="Recently released" movies={fresh(recentlyReleased)}>
        The newest years in the catalog, most rated first.
      </ReadyList>
      <ReadyList id="new-additions" title="New additions" movies={fresh(newAdditions)}>
        The latest movies to join the catalog.
      </ReadyList>
    </>
  );
}

function ReadyList(props: {
  id: string;
  title: string;
  movies: MovieSummary[];
  children: ReactNode;
}) {
  if (props.movies.length === 0) return null;
  return (
    <section className="ready-list" aria-labelledby={`${props.id}-heading`}>
      <div className="section-head">
        <h2 id={`${props.id}-heading`}>{props.title}</h2>
        <p className="muted small">{props.children}</p>
      </div>
      <MovieGrid label={props.title}>
        {props.movies.map((movie) => (
          <MovieCard key={movie.id} movie={movie} rateable />
        ))}
      </MovieGrid>
    </section>
  );
}
