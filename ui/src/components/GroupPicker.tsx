// Onboarding by groups (Chang et al. 2015): pick a few groups of similar movies, each named by
// its best-known titles, and get first recommendations at once — faster than rating 15 movies.
import { useState } from 'react';
import { api } from '../api.ts';
import { useAction, useLoad } from '../hooks.ts';
import type { MovieSummary } from '../types.ts';
import { ErrorMessage, Loading } from './ErrorMessage.tsx';
import { BusyButton } from './Form.tsx';
import { GroupRecommendationGrid } from './GroupShelf.tsx';

export function GroupPicker() {
  const loaded = useLoad(() => api.movieGroups(), []);
  const [picked, setPicked] = useState<number[]>([]);
  const [recommendations, setRecommendations] = useState<MovieSummary[] | null>(null);
  const action = useAction();
  if (loaded.error) return <ErrorMessage error={loaded.error} />;
  if (!loaded.data) return <Loading label="Grouping movies…" />;
  const { groups, minPicks } = loaded.data;
  if (groups.length === 0) return null;

  function toggle(id: number) {
    setPicked((current) =>
      current.includes(id) ? current.filter((g) => g !== id) : [...current, id],
    );
  }

  return (
    <section className="group-picker card" aria-labelledby="group-picker-heading">
      <h2 id="group-picker-heading">Quick start: pick groups you like</h2>
      <p className="muted">
        Pick at least {minPicks} groups of movies you enjoy, and get recommendations right away.
      </p>
      <ul className="group-grid" aria-label="Groups of movies">
        {groups.map((group) => {
          const on = picked.includes(group.id);
          return (
            <li key={group.id}>
              <button
                type="button"
                className={on ? 'group-card is-picked' : 'group-card'}
                aria-pressed={on}
                onClick={() => toggle(group.id)}
              >
                {group.genre && <span className="chip">{group.genre}</span>}
                <span className="group-titles">
                  {group.movies.map((movie) => movie.title).join(' · ')}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      <ErrorMessage error={action.error} title="Could not save your groups." />
      <BusyButton
        busy={action.busy}
        busyLabel="Finding movies…"
        className="button button-primary"
        disabled={picked.length < minPicks}
        onClick={() =>
          void action.run(async () => setRecommendations((await api.pickGroups(picked)).items))
        }
      >
        {picked.length < minPicks
          ? `Pick ${minPicks - picked.length} more`
          : `Recommend from ${picked.length} groups`}
      </BusyButton>
      {recommendations && (
        <section aria-labelledby="first-recommendations-heading">
          <h3 id="first-recommendations-heading">Your first recommendations</h3>
          <p className="muted small">Rate the ones you have seen to sharpen them.</p>
          <GroupRecommendationGrid movies={recommendations} />
        </section>
      )}
    </section>
  );
}
