// A movie: title, year, genres, your rating (click a half star to set it at once), the predicted
// rating, the average with its histogram, links, your lists, the tags, members' shared ratings
// and similar movies.
import { Suspense, lazy, useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api } from '../api.ts';
import { ErrorMessage, Loading } from '../components/ErrorMessage.tsx';
import { Genres, MovieCard, MovieGrid, Poster } from '../components/MovieCard.tsx';
import { SharedRatings } from '../components/SharedRatings.tsx';
import { StarMeter, StarRating, starsText } from '../components/Stars.tsx';
import { MovieListToggles } from '../features/lists/MovieListToggles.tsx';
import { MovieTagsPanel } from '../features/lists/MovieTagsPanel.tsx';
import { useLoad, useTitle } from '../hooks.ts';
import { useSession } from '../session.tsx';
import type { MovieDetail } from '../types.ts';

/** IMDb and TMDb pages of the movie (the server builds them on those hosts only). */
function MovieLinks({ links }: { links: MovieDetail['links'] }) {
  const sites = [
    ['IMDb', links.imdb],
    ['TMDb', links.tmdb],
  ].filter((site): site is [string, string] => site[1] !== null);
  if (sites.length === 0) return null;
  return (
    <p className="movie-links">
      {sites.map(([name, url]) => (
        <a
          key={name}
          href={url}
          target="_blank"
          rel="noopener noreferrer"
          className="button button-small"
        >
          {name} ↗
        </a>
      ))}
    </p>
  );
}

/** The statistics that a member's rating changes, refetched after each save or removal. */
type RatingStats = Pick<MovieDetail, 'averageRating' | 'ratingsCount' | 'histogram'>;

// Chart.js is the largest dependency: load it only when a movie page needs it.
const RatingHistogram = lazy(() =>
  import('../components/Histogram.tsx').then((module) => ({ default: module.RatingHistogram })),
);

export function MoviePage() {
  const { id } = useParams();
  const movieId = Number(id);
  const { member } = useSession();
  const detail = useLoad(
    () =>
      Number.isInteger(movieId) && movieId > 0
        ? api.movie(movieId)
        : Promise.reject(new Error(`“${id}” is not a movie id.`)),
    [movieId, member?.id],
  );
  const movie = detail.data;
  useTitle(movie ? movie.title : 'Movie');
  const [yourRating, setYourRating] = useState<number | null>(null);
  const [saving, setSaving] = useState(false);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [freshStats, setFreshStats] = useState<RatingStats | null>(null);
  const statsTicket = useRef(0);

  useEffect(() => {
    setYourRating(movie?.yourRating ?? null);
    setStatus('');
    setError(null);
    statsTicket.current++;
    setFreshStats(null);
  }, [movie]);

  if (detail.error) return <ErrorMessage error={detail.error} title="Could not load the movie." />;
  if (!movie) return <Loading />;
  const stats: RatingStats = freshStats ?? movie;

  /** Refetches the movie for its new average, count and histogram (the latest request wins). */
  async function refreshStats(movieId: number) {
    const ticket = ++statsTicket.current;
    try {
      const fresh = await api.movie(movieId);
      if (ticket !== statsTicket.current) return;
      const { averageRating, ratingsCount, histogram } = fresh;
      setFreshStats({ averageRating, ratingsCount, histogram });
    } catch {
      // The rating is saved; the page keeps the statistics it has until the next load.
    }
  }

  async function rate(rating: number) {
    if (!movie) return;
    setSaving(true);
    setError(null);
    const before = yourRating;
    setYourRating(rating);
    try {
      const saved = await api.rate(movie.id, rating);
      setYourRating(saved?.rating ?? rating);
      setStatus(`Saved: you rated it ${starsText(rating)}.`);
      void refreshStats(movie.id);
    } catch (failure) {
      setYourRating(before);
      setError(failure);
    } finally {
      setSaving(false);
    }
  }

  async function remove() {
    if (!movie) return;
    setSaving(true);
    setError(null);
    try {
      await api.unrate(movie.id);
      setYourRating(null);
      setStatus('Your rating was removed.');
      void refreshStats(movie.id);
    } catch (failure) {
      setError(failure);
    } finally {
      setSaving(false);
    }
  }

  return (
    <article className="movie-page">
      <section className="movie-hero card">
        <Poster movie={movie} size="hero" />
        <div className="movie-hero-body">
          <h1>
            {movie.title}{' '}
            {movie.year !== null && <span className="movie-year">({movie.year})</span>}
          </h1>
          <Genres genres={movie.genres} />
          <dl className="movie-stats">
            {member && (
              <div className="stat stat-yours">
                <dt>Your rating</dt>
                <dd>
                  <StarRating
                    value={yourRating}
                    onRate={(rating) => void rate(rating)}
                    label={`Your rating for ${movie.title}`}
                    busy={saving}
                    size="large"
                  />
                  {yourRating !== null ? (
                    <button
                      type="button"
                      className="button button-ghost button-small"
                      onClick={() => void remove()}
                      disabled={saving}
                    >
                      Remove rating
                    </button>
                  ) : (
                    <span className="muted small">
                      Not rated yet — click a star (its left half: half a star).
                    </span>
                  )}
                </dd>
              </div>
            )}
            {movie.predictedRating !== null && (
              <div className="stat stat-predicted">
                <dt>Predicted for you</dt>
                <dd>
                  <StarMeter value={movie.predictedRating} kind="predicted" />
                </dd>
              </div>
            )}
            <div className="stat stat-average">
              <dt>Average</dt>
              <dd>
                {stats.averageRating !== null ? (
                  <StarMeter value={stats.averageRating} kind="average" />
                ) : (
                  <span className="muted">no ratings yet</span>
                )}
                <span className="muted small">
                  {' '}
                  from {stats.ratingsCount.toLocaleString()} rating
                  {stats.ratingsCount === 1 ? '' : 's'}
                </span>
              </dd>
            </div>
          </dl>
          <p className="save-status" role="status" aria-live="polite">
            {status}
          </p>
          <ErrorMessage error={error} title="Could not save your rating." />
          <MovieLinks links={movie.links} />
          {member && <MovieListToggles movieId={movie.id} />}
          {!member && (
            <p className="muted">
              <Link to="/login">Log in</Link> or <Link to="/signup">sign up</Link> to rate this
              movie and see how many stars lenslab predicts you would give it.
            </p>
          )}
        </div>
        {stats.histogram && stats.histogram.length > 0 && (
          <Suspense fallback={<Loading label="Drawing the rating histogram…" />}>
            <RatingHistogram counts={stats.histogram} title="How members rated it" />
          </Suspense>
        )}
      </section>
      <SharedRatings key={movie.id} movieId={movie.id} refreshKey={freshStats} />
      <MovieTagsPanel movieId={movie.id} member={member !== null} />
      {movie.similar && movie.similar.length > 0 && (
        <section aria-labelledby="similar-heading">
          <h2 id="similar-heading">Similar movies</h2>
          <MovieGrid label="Similar movies">
            {movie.similar.map((similar) => (
              <MovieCard key={similar.id} movie={similar} rateable />
            ))}
          </MovieGrid>
        </section>
      )}
    </article>
  );
}
