// The member's choice of recommender: one click on a named recommender switches every list on
// the site to it; the server remembers (and logs) the choice.
import { useState } from 'react';
import { api } from '../api.ts';
import { useLoad } from '../hooks.ts';
import type { RecommenderChoice } from '../types.ts';
import { Choice } from './Choice.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';

export function RecommenderSwitch({ onChanged }: { onChanged: () => void }) {
  const state = useLoad(() => api.recommenderChoice(), []);
  const [error, setError] = useState<unknown>(null);
  if (!state.data) return <ErrorMessage error={state.error} />;
  const choose = (choice: RecommenderChoice) => {
    setError(null);
    api.chooseRecommender(choice).then((next) => {
      state.setData(() => next);
      onChanged();
    }, setError);
  };
  return (
    <fieldset className="recommender-switch">
      <legend>Recommend with</legend>
      {state.data.choices.map((option) => (
        <Choice
          key={option.name}
          type="radio"
          name="recommender"
          value={option.name}
          checked={state.data?.choice === option.name}
          onChange={(checked) => checked && choose(option.name)}
          label={option.label}
          hint={option.description}
        />
      ))}
      <ErrorMessage error={error} title="Could not switch the recommender." />
    </fieldset>
  );
}
