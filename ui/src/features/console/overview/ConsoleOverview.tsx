// Dataset overview: counts, ratings per day and the rating distribution.
import { ErrorMessage, Loading } from '../../../components/ErrorMessage.tsx';
import { useLoad, useTitle } from '../../../hooks.ts';
import { consoleApi } from '../api.ts';
import { DistributionChart, RatingsPerDayChart } from '../charts.tsx';

function Stat({ label, value }: { label: string; value: number }) {
  return (
    <div className="console-stat">
      <dt>{label}</dt>
      <dd>{value.toLocaleString()}</dd>
    </div>
  );
}

export function ConsoleOverview() {
  useTitle('Console');
  const overview = useLoad(() => consoleApi.overview(365), []);
  return (
    <div className="console-section">
      <h2>Dataset overview</h2>
      <ErrorMessage error={overview.error} />
      {!overview.data ? (
        <Loading />
      ) : (
        <>
          <dl className="console-stats">
            <Stat label="Members" value={overview.data.members} />
            <Stat label="Movies" value={overview.data.movies} />
            <Stat label="Ratings" value={overview.data.ratings} />
          </dl>
          <div className="console-charts">
            <RatingsPerDayChart days={overview.data.ratingsPerDay} />
            <DistributionChart distribution={overview.data.ratingDistribution} />
          </div>
        </>
      )}
    </div>
  );
}
