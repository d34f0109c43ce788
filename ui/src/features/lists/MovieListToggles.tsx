// "Want to watch" and "Not interested" on a movie's page: a movie is on at most one list, and
// neither is ever recommended again.
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { useAction, useLoad } from '../../hooks.ts';
import { listsApi } from '../../listsApi.ts';
import type { ListName } from '../../types.ts';

const TOGGLES: Array<{ list: ListName; on: string; off: string }> = [
  { list: 'wishlist', on: '✓ On your wishlist', off: 'Want to watch' },
  { list: 'hidden', on: '✓ Hidden', off: 'Not interested' },
];

export function MovieListToggles({ movieId }: { movieId: number }) {
  const state = useLoad(() => listsApi.listOf(movieId), [movieId]);
  const action = useAction();
  const current = state.data?.list ?? null;

  const toggle = (list: ListName) =>
    action.run(async () => {
      if (current === list) await listsApi.remove(list, movieId);
      else await listsApi.add(list, movieId);
      state.setData(() => ({ list: current === list ? null : list }));
    });

  return (
    <div className="list-toggles">
      {TOGGLES.map(({ list, on, off }) => (
        <button
          key={list}
          type="button"
          className={
            current === list ? 'button button-primary button-small' : 'button button-small'
          }
          aria-pressed={current === list}
          disabled={action.busy || state.loading}
          onClick={() => void toggle(list)}
        >
          {current === list ? on : off}
        </button>
      ))}
      <ErrorMessage error={action.error ?? state.error} title="Could not change your lists." />
    </div>
  );
}
