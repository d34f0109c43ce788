// Home: top picks with predicted stars and the reason, then rows by genre. Visitors see the
// most popular movies and an invitation to sign up.
import { Link } from 'react-router-dom';
import { api } from '../api.ts';
import { ErrorMessage, Loading } from '../components/ErrorMessage.tsx';
import { GroupShelf } from '../components/GroupShelf.tsx';
import { MovieCard, MovieGrid } from '../components/MovieCard.tsx';
import { ReadyLists } from '../components/ReadyLists.tsx';
import { useLoad, useTitle } from '../hooks.ts';
import { ONBOARDING_TARGET, useSession } from '../session.tsx';
import type { Recommendation } from '../types.ts';

export function HomePage() {
  const { member, ready } = useSession();
  if (!ready) return <Loading />;
  if (!member) return <VisitorHome />;
  if (!member.onboarded)
    return (
      <>
        <NotYetOnboarded count={member.ratingsCount} />
        <GroupShelf />
      </>
    );
  return <MemberHome />;
}

function VisitorHome() {
  useTitle('');
  const popular = useLoad(() => api.movies({ sort: 'popularity', pageSize: 12 }), []);
  return (
    <>
      <section className="hero">
        <h1>Find movies you will love.</h1>
        <p className="lead">
          Rate movies you have seen, and lenslab recommends what to watch next — with a prediction
          of how many stars you would give each one. Open, non-commercial, privacy-first.
        </p>
        <div className="hero-actions">
          <Link to="/signup" className="button button-primary button-large">
            Get started — it is free
          </Link>
          <Link to="/explore" className="button button-large">
            Explore movies
          </Link>
        </div>
      </section>
      <h2>Popular on lenslab</h2>
      <ErrorMessage error={popular.error} />
      {popular.loading && !popular.data && <Loading />}
      {popular.data && (
        <MovieGrid label="Popular movies">
          {popular.data.items.map((movie) => (
            <MovieCard key={movie.id} movie={movie} />
          ))}
        </MovieGrid>
      )}
      <ReadyLists />
    </>
  );
}

function NotYetOnboarded({ count }: { count: number }) {
  useTitle('Welcome');
  return (
    <section className="hero">
      <h1>Almost there!</h1>
      <p className="lead">
        You have rated {count} of {ONBOARDING_TARGET} movies. Rate {ONBOARDING_TARGET - count} more
        and your personal recommendations start.
      </p>
      <div className="hero-actions">
        <Link to="/onboarding" className="button button-primary button-large">
          Continue rating
        </Link>
      </div>
    </section>
  );
}

/** The genres that occur most among the member's top picks. */
function favouriteGenres(items: Recommendation[], count: number): string[] {
  const tally = new Map<string, number>();
  for (const item of items)
    for (const genre of item.genres) tally.set(genre, (tally.get(genre) ?? 0) + 1);
  return [...tally.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, count)
    .map(([genre]) => genre);
}

function MemberHome() {
  useTitle('Top picks');
  const picks = useLoad(() => api.recommendations(20), []);
  const genres = picks.data ? favouriteGenres(picks.data.items, 4) : [];
  return (
    <>
      <section aria-labelledby="top-picks-heading">
        <div className="section-head">
          <h1 id="top-picks-heading">Top picks for you</h1>
          {picks.data?.model && (
            <p className="muted small" title={`model version ${String(picks.data.model.version)}`}>
              Predicted by the {picks.data.model.algorithm} model. Rate more to sharpen them.
            </p>
          )}
        </div>
        <ErrorMessage error={picks.error} title="Could not load your recommendations." />
        {picks.loading && !picks.data && <Loading label="Working out your top picks…" />}
        {picks.data && picks.data.items.length === 0 && (
          <p className="muted">
            No recommendations yet. <Link to="/explore">Rate a few more movies</Link>.
          </p>
        )}
        {picks.data && picks.data.items.length > 0 && (
          <MovieGrid label="Top picks">
            {picks.data.items.map((movie, index) => (
              <MovieCard
                key={movie.id}
                movie={movie}
                rateable
                because={movie.reason?.becauseYouRated}
                onOpen={() => void api.recommendationClick(movie.id, index + 1).catch(() => {})}
              />
            ))}
          </MovieGrid>
        )}
      </section>
      {genres.map((genre) => (
        <GenreRow key={genre} genre={genre} />
      ))}
      <ReadyLists />
    </>
  );
}

function GenreRow({ genre }: { genre: string }) {
  const picks = useLoad(() => api.recommendations(8, genre), [genre]);
  const headingId = `genre-${genre.replace(/[^a-z0-9]/gi, '-')}`;
  if (picks.data && picks.data.items.length === 0) return null;
  return (
    <section className="genre-row" aria-labelledby={headingId}>
      <div className="section-head">
        <h2 id={headingId}>Top {genre} picks</h2>
        <Link to={`/explore?genre=${encodeURIComponent(genre)}&sort=predicted`}>
          More {genre} →
        </Link>
      </div>
      <ErrorMessage error={picks.error} />
      {picks.data && (
        <MovieGrid label={`${genre} picks`}>
          {picks.data.items.map((movie, index) => (
            <MovieCard
              key={movie.id}
              movie={movie}
              rateable
              onOpen={() => void api.recommendationClick(movie.id, index + 1).catch(() => {})}
            />
          ))}
        </MovieGrid>
      )}
    </section>
  );
}
