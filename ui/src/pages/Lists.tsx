// My lists: the movies a member wants to watch and the ones they hid, each with an undo.
import { ErrorMessage, Loading } from '../components/ErrorMessage.tsx';
import { MovieCard, MovieGrid } from '../components/MovieCard.tsx';
import { RequireMember } from '../components/RequireMember.tsx';
import { useAction, useLoad, useTitle } from '../hooks.ts';
import { listsApi } from '../listsApi.ts';
import type { ListName, MemberLists } from '../types.ts';

const SECTIONS: Array<{ list: ListName; title: string; empty: string; undo: string }> = [
  {
    list: 'wishlist',
    title: 'Want to watch',
    empty: 'Nothing yet: press “Want to watch” on a movie’s page.',
    undo: 'Remove from wishlist',
  },
  {
    list: 'hidden',
    title: 'Not interested',
    empty: 'No hidden movies. Hidden movies are never recommended and left out of Explore.',
    undo: 'Unhide',
  },
];

export function ListsPage() {
  return (
    <RequireMember>
      <MemberListsView />
    </RequireMember>
  );
}

function MemberListsView() {
  useTitle('My lists');
  const lists = useLoad(() => listsApi.lists(), []);
  const action = useAction();

  const undo = (list: ListName, movieId: number) =>
    action.run(async () => {
      await listsApi.remove(list, movieId);
      lists.setData((current) =>
        current
          ? ({ ...current, [list]: current[list].filter((m) => m.id !== movieId) } as MemberLists)
          : current,
      );
    });

  if (lists.error) return <ErrorMessage error={lists.error} title="Could not load your lists." />;
  if (!lists.data) return <Loading />;
  const data = lists.data;
  return (
    <>
      <h1>My lists</h1>
      <ErrorMessage error={action.error} title="Could not change your lists." />
      {SECTIONS.map(({ list, title, empty, undo: undoLabel }) => (
        <section key={list} aria-labelledby={`${list}-heading`}>
          <h2 id={`${list}-heading`}>
            {title} <span className="muted small">({data[list].length})</span>
          </h2>
          {data[list].length === 0 ? (
            <p className="empty">{empty}</p>
          ) : (
            <MovieGrid label={title}>
              {data[list].map((movie) => (
                <MovieCard
                  key={movie.id}
                  movie={movie}
                  footer={
                    <button
                      type="button"
                      className="button button-small"
                      onClick={() => void undo(list, movie.id)}
                    >
                      {undoLabel}
                    </button>
                  }
                />
              ))}
            </MovieGrid>
          )}
        </section>
      ))}
    </>
  );
}
