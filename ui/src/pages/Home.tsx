// Home: top picks (ranked by the ranking model, stars from the rating model) with the reason and
// the member's recommender switch, then genre shelves that repeat nothing shown above them.
// Visitors see the most popular movies and an invitation to sign up.
import { Link } from 'react-router-dom';
import { api } from '../api.ts';
import { ErrorMessage, Loading } from '../components/ErrorMessage.tsx';
import { GroupShelf } from '../components/GroupShelf.tsx';
import { MovieCard, MovieGrid } from '../components/MovieCard.tsx';
import { ReadyLists } from '../components/ReadyLists.tsx';
import { RecommenderSwitch } from '../components/RecommenderSwitch.tsx';
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

function MemberHome() {
  useTitle('Top picks');
  const home = useLoad(() => api.memberHome(), []);
  const data = home.data;
  return (
    <>
      <section aria-labelledby="top-picks-heading">
        <div className="section-head">
          <h1 id="top-picks-heading">Top picks for you</h1>
          {data && (
            <p
              className="muted small"
              title={`ranking ${data.ranking.version}, stars ${data.model.version}`}
            >
              Ranked by the {data.ranking.algorithm} model, stars predicted by the{' '}
              {data.model.algorithm} model. Rate more to sharpen them.
            </p>
          )}
        </div>
        <RecommenderSwitch onChanged={home.reload} />
        <ErrorMessage error={home.error} title="Could not load your recommendations." />
        {home.loading && !data && <Loading label="Working out your top picks…" />}
        {data && data.topPicks.length === 0 && (
          <p className="muted">
            No recommendations yet. <Link to="/explore">Rate a few more movies</Link>.
          </p>
        )}
        {data && data.topPicks.length > 0 && (
          <MovieGrid label="Top picks">
            {data.topPicks.map((movie, index) => (
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
      {data?.shelves.map((shelf) => (
        <GenreRow key={shelf.genre} genre={shelf.genre} items={shelf.items} />
      ))}
      {data && (
        <ReadyLists
          above={[...data.topPicks, ...data.shelves.flatMap((shelf) => shelf.items)].map(
            (movie) => movie.id,
          )}
        />
      )}
    </>
  );
}

/** A genre shelf: none of its movies is shown higher on the page (the server sees to it). */
function GenreRow({ genre, items }: { genre: string; items: Recommendation[] }) {
  const headingId = `genre-${genre.replace(/[^a-z0-9]/gi, '-')}`;
  return (
    <section className="genre-row" aria-labelledby={headingId}>
      <div className="section-head">
        <h2 id={headingId}>Top {genre} picks</h2>
        <Link to={`/explore?genre=${encodeURIComponent(genre)}&sort=predicted`}>
          More {genre} →
        </Link>
      </div>
      <MovieGrid label={`${genre} picks`}>
        {items.map((movie, index) => (
          <MovieCard
            key={movie.id}
            movie={movie}
            rateable
            onOpen={() => void api.recommendationClick(movie.id, index + 1).catch(() => {})}
          />
        ))}
      </MovieGrid>
    </section>
  );
}
