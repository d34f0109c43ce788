// A movie's tags: each with how many members gave it (never who), linking to its page; a
// member's own tags can be deleted, and a form adds one.
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { InputField, SubmitButton } from '../../components/Form.tsx';
import { useAction, useLoad } from '../../hooks.ts';
import { listsApi, tagLink } from '../../listsApi.ts';

export function MovieTagsPanel({ movieId, member }: { movieId: number; member: boolean }) {
  const tags = useLoad(() => listsApi.movieTags(movieId), [movieId, member]);
  const [text, setText] = useState('');
  const action = useAction();
  const mine = new Set((tags.data?.mine ?? []).map((tag) => tag.toLowerCase()));

  /** Runs a change, then reloads the tags (their counts change too). */
  const change = (job: () => Promise<unknown>) =>
    action.run(async () => {
      await job();
      tags.reload();
    });

  return (
    <section aria-labelledby="tags-heading" className="movie-tags card">
      <h2 id="tags-heading">Tags</h2>
      <ErrorMessage error={tags.error} title="Could not load the tags." />
      {tags.data && tags.data.tags.length === 0 && <p className="muted">No tags yet.</p>}
      <ul className="tag-list" aria-label="Tags of this movie">
        {tags.data?.tags.map(({ tag, count }) => (
          <li key={tag} className="chip tag-chip">
            <Link to={tagLink(tag)}>{tag}</Link> <span className="muted small">×{count}</span>
            {mine.has(tag.toLowerCase()) && (
              <button
                type="button"
                className="button button-ghost button-small"
                aria-label={`Delete your tag ${tag}`}
                disabled={action.busy}
                onClick={() => void change(() => listsApi.untag(movieId, tag))}
              >
                ✕
              </button>
            )}
          </li>
        ))}
      </ul>
      {member && (
        <form
          className="tag-form"
          onSubmit={(event) => {
            event.preventDefault();
            void change(() => listsApi.tag(movieId, text)).then((added) => added && setText(''));
          }}
        >
          <InputField
            label="Add a tag"
            className="field-grow"
            name="tag"
            maxLength={64}
            placeholder="e.g. time travel"
            value={text}
            onChange={setText}
            hint="Shown to everyone without your name; you can delete your own tags."
          />
          <SubmitButton busy={action.busy} busyLabel="Adding…" disabled={text.trim() === ''}>
            Add tag
          </SubmitButton>
        </form>
      )}
      <ErrorMessage error={action.error} title="Could not change your tags." />
    </section>
  );
}
