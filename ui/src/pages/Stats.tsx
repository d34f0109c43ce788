// My stats: how I rate (histogram, my average against the site's), when I rated (per month), and
// the movies where my rating differs most from the average.
import { Suspense, lazy } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../api.ts';
import { ErrorMessage, Loading } from '../components/ErrorMessage.tsx';
import { MovieLine } from '../components/MovieCard.tsx';
import { RequireMember } from '../components/RequireMember.tsx';
import { useLoad, useTitle } from '../hooks.ts';
import type { MemberStats } from '../types.ts';

// Chart.js is large: load it with this page only.
const RatingHistogram = lazy(() =>
  import('../components/Histogram.tsx').then((module) => ({ default: module.RatingHistogram })),
);
const AveragesChart = lazy(() =>
  import('../components/StatsCharts.tsx').then((module) => ({ default: module.AveragesChart })),
);
const MonthlyChart = lazy(() =>
  import('../components/StatsCharts.tsx').then((module) => ({ default: module.MonthlyChart })),
);

export function StatsPage() {
  return (
    <RequireMember>
      <Stats />
    </RequireMember>
  );
}

function Stats() {
  useTitle('Your stats');
  const stats = useLoad(() => api.stats(), []);
  if (stats.error) return <ErrorMessage error={stats.error} title="Could not load your stats." />;
  if (!stats.data) return <Loading />;
  const data = stats.data;
  return (
    <div className="stats-page">
      <h1>Your stats</h1>
      {data.ratingsCount === 0 ? (
        <p className="muted">
          You have not rated anything yet. <Link to="/onboarding">Rate a few movies</Link>.
        </p>
      ) : (
        <>
          <p className="lead">
            You have rated {data.ratingsCount.toLocaleString()} movies, {data.yourAverage} stars on
            average (everyone: {data.siteAverage}).
          </p>
          <Suspense fallback={<Loading label="Drawing your charts…" />}>
            <div className="stats-charts">
              <RatingHistogram counts={data.histogram} title="How you rate" />
              {data.yourAverage !== null && data.siteAverage !== null && (
                <AveragesChart yours={data.yourAverage} site={data.siteAverage} />
              )}
              <MonthlyChart months={data.perMonth} />
            </div>
          </Suspense>
          <Differences stats={data} />
        </>
      )}
    </div>
  );
}

function Differences({ stats }: { stats: MemberStats }) {
  return (
    <section aria-labelledby="differences-heading">
      <h2 id="differences-heading">Where you differ most</h2>
      <p className="muted small">
        Movies with at least {stats.minRatings} ratings, largest gap between your rating and the
        average first.
      </p>
      {stats.differences.length === 0 ? (
        <p className="muted">None of the movies you rated has that many ratings yet.</p>
      ) : (
        <ul className="difference-list">
          {stats.differences.map((row) => (
            <li key={row.movie.id}>
              <MovieLine movie={row.movie} />
              <span className="difference">
                you {row.yourRating}★ · average {row.average}★ ·{' '}
                <strong>
                  {row.difference > 0 ? '+' : ''}
                  {row.difference}
                </strong>
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
