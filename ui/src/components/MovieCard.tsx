// A movie card: a generated poster, title, year, genres, predicted / average stars, and
// optionally your own rating widget and the reason it was recommended.
import { Children, useState } from 'react';
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../api.ts';
import { usePredictedStarsHidden } from '../experiments.tsx';
import { useSession } from '../session.tsx';
import type { MovieSummary, RatedBecause } from '../types.ts';
import { StarMeter, StarRating } from './Stars.tsx';

/** A deterministic two-colour gradient per movie, so the grid looks like a shelf of posters. */
export function Poster({ movie, size = 'card' }: { movie: MovieSummary; size?: 'card' | 'hero' }) {
  const hue = (movie.id * 47) % 360;
  const second = (hue + 40 + ((movie.id * 13) % 80)) % 360;
  const initials = movie.title
    .replace(/\(.*?\)/g, '')
    .split(/\s+/)
    .filter((word) => /^[A-Za-z0-9]/.test(word))
    .slice(0, 2)
    .map((word) => word[0].toUpperCase())
    .join('');
  return (
    <div
      className={`poster poster-${size}`}
      aria-hidden="true"
      style={{
        background: `linear-gradient(150deg, hsl(${hue} 55% 42%), hsl(${second} 60% 24%))`,
      }}
    >
      <span className="poster-initials">{initials || '★'}</span>
      {movie.year !== null && <span className="poster-year">{movie.year}</span>}
    </div>
  );
}

/** A movie's linked title, year and first three genres, as a line of a list or table. */
export function MovieLine({ movie }: { movie: MovieSummary }) {
  return (
    <>
      <Link to={`/movies/${movie.id}`} className="strong">
        {movie.title}
      </Link>{' '}
      <span className="muted">{movie.year ?? ''}</span>
      <Genres genres={movie.genres.slice(0, 3)} />
    </>
  );
}

export function Genres({ genres }: { genres: string[] }) {
  if (genres.length === 0) return null;
  return (
    <ul className="genres" aria-label="Genres">
      {genres.map((genre) => (
        <li key={genre} className="chip">
          {genre}
        </li>
      ))}
    </ul>
  );
}

export function Reason({ because }: { because: RatedBecause[] | undefined | null }) {
  if (!because || because.length === 0) return null;
  return (
    <p className="reason">
      Because you rated{' '}
      {because.slice(0, 2).map((movie, index) => (
        <span key={movie.id}>
          {index > 0 && ' and '}
          <Link to={`/movies/${movie.id}`}>{movie.title}</Link>{' '}
          <span className="reason-stars">({movie.yourRating}★)</span>
        </span>
      ))}
    </p>
  );
}

interface MovieCardProps {
  movie: MovieSummary;
  /** Show your rating widget (members only). */
  rateable?: boolean;
  /** Called after a rating was saved. */
  onRated?: (movie: MovieSummary, rating: number) => void;
  because?: RatedBecause[] | null;
  /** Extra content under the card body. */
  footer?: ReactNode;
  /** Called when the member opens the movie (a click on a recommendation is a research event). */
  onOpen?: () => void;
}

export function MovieCard({ movie, rateable, onRated, because, footer, onOpen }: MovieCardProps) {
  const { member } = useSession();
  // The predicted-stars experiment's `hidden` variant shows no predicted stars (the README).
  const predictedHidden = usePredictedStarsHidden();
  const [yourRating, setYourRating] = useState<number | null>(movie.yourRating);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function rate(rating: number) {
    setBusy(true);
    setError(null);
    const before = yourRating;
    setYourRating(rating);
    try {
      await api.rate(movie.id, rating);
      onRated?.(movie, rating);
    } catch (failure) {
      setYourRating(before);
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  }

  const titleId = `movie-${movie.id}-title`;
  return (
    <article className="card movie-card" aria-labelledby={titleId}>
      <Link to={`/movies/${movie.id}`} className="poster-link" tabIndex={-1} onClick={onOpen}>
        <Poster movie={movie} />
      </Link>
      <div className="card-body">
        <h3 className="card-title" id={titleId}>
          <Link to={`/movies/${movie.id}`} onClick={onOpen}>
            {movie.title}
          </Link>
        </h3>
        <p className="card-meta">
          {movie.year ?? 'Year unknown'}
          {movie.ratingsCount > 0 && (
            <span className="muted">
              {' '}
              · {movie.ratingsCount.toLocaleString()} rating{movie.ratingsCount === 1 ? '' : 's'}
            </span>
          )}
        </p>
        <Genres genres={movie.genres.slice(0, 3)} />
        <div className="card-stars">
          {movie.predictedRating !== null && yourRating === null && !predictedHidden && (
            <StarMeter value={movie.predictedRating} kind="predicted" />
          )}
          {movie.averageRating !== null && <StarMeter value={movie.averageRating} kind="average" />}
        </div>
        <Reason because={because} />
        {rateable && member && (
          <StarRating
            value={yourRating}
            onRate={(rating) => void rate(rating)}
            label={`Your rating for ${movie.title}`}
            busy={busy}
          />
        )}
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        {footer}
      </div>
    </article>
  );
}

export function MovieGrid({ children, label }: { children: ReactNode; label: string }) {
  return (
    <ul className="movie-grid" aria-label={label}>
      {Children.map(children, (child) => (child ? <li>{child}</li> : null))}
    </ul>
  );
}
