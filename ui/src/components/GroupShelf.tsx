// First recommendations from the groups a new member picked (until they have rated enough for
// their personal top picks).
import { Link } from 'react-router-dom';
import { api } from '../api.ts';
import { useLoad } from '../hooks.ts';
import type { MovieSummary } from '../types.ts';
import { ErrorMessage } from './ErrorMessage.tsx';
import { MovieCard, MovieGrid } from './MovieCard.tsx';

/** The recommendations as a grid of rateable cards. */
export function GroupRecommendationGrid({ movies }: { movies: MovieSummary[] }) {
  return (
    <MovieGrid label="From the groups you picked">
      {movies.map((movie) => (
        <MovieCard key={movie.id} movie={movie} rateable />
      ))}
    </MovieGrid>
  );
}

/** Loads the member's group recommendations; shows nothing when they picked no groups. */
export function GroupShelf() {
  const picks = useLoad(() => api.groupRecommendations(12), []);
  if (picks.error) return <ErrorMessage error={picks.error} />;
  if (!picks.data || picks.data.items.length === 0) return null;
  return (
    <section aria-labelledby="group-picks-heading">
      <div className="section-head">
        <h2 id="group-picks-heading">From the groups you picked</h2>
        <Link to="/onboarding">Pick other groups</Link>
      </div>
      <GroupRecommendationGrid movies={picks.data.items} />
    </section>
  );
}
