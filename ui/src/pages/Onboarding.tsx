// Onboarding: a new member rates at least 15 movies (popular and diverse titles) before
// personal recommendations start, or picks groups of movies for first recommendations at once.
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api } from '../api.ts';
import { DidYouMean } from '../components/DidYouMean.tsx';
import { ErrorMessage, Loading } from '../components/ErrorMessage.tsx';
import { BusyButton, InputField } from '../components/Form.tsx';
import { GroupPicker } from '../components/GroupPicker.tsx';
import { MovieCard, MovieGrid } from '../components/MovieCard.tsx';
import { RequireMember } from '../components/RequireMember.tsx';
import { useDebounced, useLoad, useTitle } from '../hooks.ts';
import { ONBOARDING_TARGET, useSession } from '../session.tsx';
import type { MovieSummary } from '../types.ts';

export function OnboardingPage() {
  return (
    <RequireMember>
      <Onboarding />
    </RequireMember>
  );
}

function Onboarding() {
  useTitle('Rate some movies');
  const { member, refresh, patchMember } = useSession();
  const navigate = useNavigate();
  const startCount = useRef(member?.ratingsCount ?? 0);
  const [rated, setRated] = useState<Map<number, number>>(new Map());
  const [movies, setMovies] = useState<MovieSummary[]>([]);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [query, setQuery] = useState('');
  const debouncedQuery = useDebounced(query.trim(), 250);

  const first = useLoad(() => api.onboardingMovies(30), []);
  useEffect(() => {
    if (first.data) setMovies(first.data);
  }, [first.data]);

  const search = useLoad(
    () =>
      debouncedQuery
        ? api.movies({ q: debouncedQuery, pageSize: 12, sort: 'popularity' })
        : Promise.resolve(null),
    [debouncedQuery],
  );

  const count = startCount.current + rated.size;
  const done = count >= ONBOARDING_TARGET;
  const percent = Math.min(100, Math.round((count / ONBOARDING_TARGET) * 100));

  function onRated(movie: MovieSummary, rating: number) {
    if (movie.yourRating !== null) return;
    setRated((current) => new Map(current).set(movie.id, rating));
  }

  useEffect(() => {
    if (rated.size > 0) patchMember({ ratingsCount: startCount.current + rated.size });
  }, [rated.size, patchMember]);

  async function loadMore() {
    setLoadingMore(true);
    setError(null);
    try {
      // The server leaves out what you rated, so ask for everything still shown plus 30 more.
      const stillShown = movies.filter((movie) => !rated.has(movie.id)).length;
      const more = await api.onboardingMovies(Math.min(100, stillShown + 30));
      setMovies((current) => {
        const seen = new Set(current.map((movie) => movie.id));
        return [...current, ...more.filter((movie) => !seen.has(movie.id))];
      });
    } catch (failure) {
      setError(failure);
    } finally {
      setLoadingMore(false);
    }
  }

  async function finish() {
    await refresh();
    navigate('/');
  }

  return (
    <div className="onboarding">
      <section className="onboarding-head card">
        <div>
          <h1>Rate movies you have seen</h1>
          <p className="lead">
            lenslab learns your taste from your ratings. Rate at least {ONBOARDING_TARGET} movies —
            half stars, from ½ (awful) to 5 (must see): click the left half of a star for half a
            star, or use the arrow keys — and your personal recommendations start. Skip anything you
            have not seen.
          </p>
        </div>
        <div className="progress-box">
          <div
            className="progress"
            role="progressbar"
            aria-label="Onboarding progress"
            aria-valuemin={0}
            aria-valuemax={ONBOARDING_TARGET}
            aria-valuenow={Math.min(count, ONBOARDING_TARGET)}
          >
            <div className="progress-fill" style={{ width: `${percent}%` }} />
          </div>
          <p className="progress-text" aria-live="polite">
            <strong>{Math.min(count, ONBOARDING_TARGET)}</strong> of {ONBOARDING_TARGET} rated
            {count > ONBOARDING_TARGET ? ` (${count} in total)` : ''}
          </p>
          <button
            type="button"
            className="button button-primary"
            disabled={!done}
            onClick={() => void finish()}
          >
            {done ? 'See my recommendations' : `Rate ${ONBOARDING_TARGET - count} more to continue`}
          </button>
        </div>
      </section>

      <GroupPicker />

      <InputField
        label="Looking for a particular movie?"
        className="search-field"
        type="search"
        placeholder="Search by title"
        value={query}
        onChange={setQuery}
      />
      {debouncedQuery && (
        <section aria-label="Search results">
          <ErrorMessage error={search.error} />
          {search.data?.didYouMean && (
            <DidYouMean suggestion={search.data.didYouMean} onPick={setQuery} />
          )}
          {search.data && search.data.items.length === 0 && (
            <p className="muted">No movie matches “{debouncedQuery}”.</p>
          )}
          {search.data && search.data.items.length > 0 && (
            <MovieGrid label="Search results">
              {search.data.items.map((movie) => (
                <MovieCard key={movie.id} movie={movie} rateable onRated={onRated} />
              ))}
            </MovieGrid>
          )}
        </section>
      )}

      <h2>Popular and diverse picks</h2>
      <ErrorMessage error={first.error ?? error} />
      {first.loading && !first.data ? (
        <Loading label="Finding movies for you…" />
      ) : (
        <MovieGrid label="Movies to rate">
          {movies.map((movie) => (
            <MovieCard key={movie.id} movie={movie} rateable onRated={onRated} />
          ))}
        </MovieGrid>
      )}
      <div className="center">
        <BusyButton
          busy={loadingMore}
          busyLabel="Loading…"
          className="button"
          onClick={() => void loadMore()}
        >
          Show more movies
        </BusyButton>{' '}
        <Link to="/explore" className="button button-ghost">
          Browse everything
        </Link>
      </div>
    </div>
  );
}
