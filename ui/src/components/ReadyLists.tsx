// The home page's ready lists, as on movielens.org: new additions, top rated (with a minimum
// number of ratings) and recently released.
import type { ReactNode } from 'react';
import { api } from '../api.ts';
import { useLoad } from '../hooks.ts';
import type { MovieSummary } from '../types.ts';
import { ErrorMessage, Loading } from './ErrorMessage.tsx';
import { MovieCard, MovieGrid } from './MovieCard.tsx';

export function ReadyLists() {
  const lists = useLoad(() => api.readyLists(8), []);
  if (lists.error) return <ErrorMessage error={lists.error} title="Could not load the lists." />;
  if (!lists.data) return lists.loading ? <Loading /> : null;
  const { newAdditions, topRated, recentlyReleased, minRatings } = lists.data;
  return (
    <>
      <ReadyList id="top-rated" title="Top rated" movies={topRated}>
        Highest damped average among movies with at least {minRatings} ratings.
      </ReadyList>
      <ReadyList id="recently-released" title="Recently released" movies={recentlyReleased}>
        The newest years in the catalog, most rated first.
      </ReadyList>
      <ReadyList id="new-additions" title="New additions" movies={newAdditions}>
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
