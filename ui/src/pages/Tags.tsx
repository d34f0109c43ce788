// Tags: search tags by their first letters (with how many members gave each), and a tag's page
// listing its movies, most tagged first.
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { ErrorMessage, Loading } from '../components/ErrorMessage.tsx';
import { InputField } from '../components/Form.tsx';
import { MovieCard, MovieGrid } from '../components/MovieCard.tsx';
import { useDebounced, useLoad, useTitle } from '../hooks.ts';
import { listsApi, tagLink } from '../listsApi.ts';

export function TagsPage() {
  useTitle('Tags');
  const [typed, setTyped] = useState('');
  const q = useDebounced(typed.trim(), 200);
  const tags = useLoad(() => listsApi.searchTags(q), [q]);
  return (
    <>
      <h1>Tags</h1>
      <form className="filters card" role="search" onSubmit={(event) => event.preventDefault()}>
        <InputField
          label="Find a tag"
          className="field-grow"
          type="search"
          name="q"
          maxLength={64}
          placeholder="Starts with…"
          value={typed}
          onChange={setTyped}
        />
      </form>
      <ErrorMessage error={tags.error} title="Could not search the tags." />
      {tags.data && tags.data.length === 0 && <p className="empty">No tag starts like that.</p>}
      <ul className="tag-list" aria-label="Tags">
        {tags.data?.map(({ tag, count }) => (
          <li key={tag} className="chip tag-chip">
            <Link to={tagLink(tag)}>{tag}</Link> <span className="muted small">×{count}</span>
          </li>
        ))}
      </ul>
    </>
  );
}

export function TagPage() {
  const { tag = '' } = useParams();
  const page = useLoad(() => listsApi.tagPage(tag), [tag]);
  useTitle(`Tag: ${page.data?.tag ?? tag}`);
  if (page.error) return <ErrorMessage error={page.error} title="Could not load the tag." />;
  if (!page.data) return <Loading />;
  const { items, total } = page.data;
  return (
    <>
      <div className="section-head">
        <h1>Tagged “{page.data.tag}”</h1>
        <p className="muted">
          {total.toLocaleString()} movie{total === 1 ? '' : 's'} · <Link to="/tags">All tags</Link>
        </p>
      </div>
      {items.length === 0 ? (
        <p className="empty">No movie has this tag.</p>
      ) : (
        <MovieGrid label={`Movies tagged ${page.data.tag}`}>
          {items.map((movie) => (
            <MovieCard
              key={movie.id}
              movie={movie}
              footer={
                <span className="muted small">
                  tagged by {movie.tagCount} member{movie.tagCount === 1 ? '' : 's'}
                </span>
              }
            />
          ))}
        </MovieGrid>
      )}
    </>
  );
}
