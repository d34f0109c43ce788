// The recommenders members chose (Home's switch), as an experiment dimension: outcomes per
// chosen recommender from the moment of the choice, and how many choices and switches there were.
import { Link } from 'react-router-dom';
import { ErrorMessage, Loading } from '../../../components/ErrorMessage.tsx';
import { useLoad, useTitle } from '../../../hooks.ts';
import { consoleApi } from '../api.ts';
import { GroupResults } from './ConsoleExperimentResults.tsx';

export function ConsoleRecommenderChoices() {
  useTitle('Recommender choices · Console');
  const results = useLoad(() => consoleApi.recommenderChoices(), []);
  if (results.error) return <ErrorMessage error={results.error} />;
  if (!results.data) return <Loading />;
  const { choices, switches, until } = results.data;
  return (
    <div className="console-section" data-testid="recommender-choices">
      <p>
        <Link to="/console/experiments">← All experiments</Link>
      </p>
      <h2>Recommenders members chose</h2>
      <p className="muted">
        {choices} choices, {switches} of them switches from an earlier choice · each member counted
        under their latest choice, from the moment they made it · counted until{' '}
        {until.slice(0, 16).replace('T', ' ')} UTC
      </p>
      <GroupResults results={results.data} group="Recommender" share="Share of members" />
    </div>
  );
}
