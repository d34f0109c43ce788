// Message boards: boards, threads and posts. Posting needs a public username; Markdown is
// rendered on the server with raw HTML disabled, so a post cannot inject scripts.
import { useState } from 'react';
import type { ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api } from '../api.ts';
import { ErrorMessage, Loading } from '../components/ErrorMessage.tsx';
import {
  BusyButton,
  InputField,
  SubmitButton,
  TextAreaField,
  type ActionFormProps,
} from '../components/Form.tsx';
import { Table, TableHead } from '../components/Table.tsx';
import { useAction, useLoad, useTitle } from '../hooks.ts';
import { useSession } from '../session.tsx';
import type { Post } from '../types.ts';

function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Explains what a visitor or a member without username must do before posting. */
function PostingGate({ children }: { children: ReactNode }) {
  const { member } = useSession();
  if (!member)
    return (
      <p className="muted">
        <Link to="/login">Log in</Link> to join the conversation.
      </p>
    );
  if (!member.username)
    return (
      <p className="hint warn">
        Posting needs a public username. <Link to="/privacy">Choose one in Privacy</Link>.
      </p>
    );
  return <>{children}</>;
}

type ComposeCardProps = ActionFormProps & { id: string; heading: string; submitLabel: string };

/** A card to write in (a new thread, a reply), behind the posting gate. */
function ComposeCard({
  id,
  heading,
  submitLabel,
  action,
  onSubmit,
  errorTitle,
  children,
}: ComposeCardProps) {
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id}>{heading}</h2>
      <PostingGate>
        <ErrorMessage error={action.error} title={errorTitle} />
        <form className="form" onSubmit={onSubmit}>
          {children}
          <SubmitButton busy={action.busy} busyLabel="Posting…">
            {submitLabel}
          </SubmitButton>
        </form>
      </PostingGate>
    </section>
  );
}

export function BoardsPage() {
  useTitle('Message boards');
  const boards = useLoad(() => api.boards(), []);
  return (
    <>
      <div className="section-head">
        <h1>Message boards</h1>
      </div>
      <ErrorMessage error={boards.error} />
      {boards.loading && !boards.data && <Loading />}
      {boards.data && boards.data.length === 0 && <p className="empty">No boards yet.</p>}
      {boards.data && (
        <ul className="board-list" aria-label="Boards">
          {boards.data.map((board) => (
            <li key={board.id} className="card board-card">
              <h2>
                <Link to={`/boards/${board.slug}`}>{board.name}</Link>
              </h2>
              <p>{board.description}</p>
              <p className="muted small">
                {board.threads} thread{board.threads === 1 ? '' : 's'}
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export function BoardPage() {
  const { slug = '' } = useParams();
  const navigate = useNavigate();
  const page = useLoad(() => api.board(slug), [slug]);
  useTitle(page.data?.board.name ?? 'Board');
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const action = useAction();

  const startThread = action.submit(async () => {
    const created = await api.createThread(slug, title.trim(), body);
    navigate(`/threads/${created.id}`);
  });

  if (page.error) return <ErrorMessage error={page.error} title="Could not load the board." />;
  if (!page.data) return <Loading />;
  const { board, threads } = page.data;
  return (
    <>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to="/boards">Boards</Link> › <span>{board.name}</span>
      </nav>
      <div className="section-head">
        <h1>{board.name}</h1>
        <p className="muted">{board.description}</p>
      </div>
      {threads.length === 0 ? (
        <p className="empty">No threads yet — start the first one.</p>
      ) : (
        <div className="card table-card">
          <Table className="threads-table">
            <TableHead columns={['Thread', 'Started by', 'Posts', 'Last post']} />
            <tbody>
              {threads.map((thread) => (
                <tr key={thread.id}>
                  <td>
                    <Link to={`/threads/${thread.id}`} className="strong">
                      {thread.title}
                    </Link>
                  </td>
                  <td>{thread.author ?? <span className="muted">deleted member</span>}</td>
                  <td>{thread.posts}</td>
                  <td className="muted nowrap">{formatTime(thread.lastPostAt)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        </div>
      )}
      <ComposeCard
        id="new-thread-heading"
        heading="Start a thread"
        action={action}
        onSubmit={startThread}
        errorTitle="Could not start the thread."
        submitLabel="Post thread"
      >
        <InputField
          label="Title"
          name="title"
          required
          maxLength={200}
          value={title}
          onChange={setTitle}
        />
        <TextAreaField
          label="Message"
          name="body"
          required
          rows={6}
          hint="Markdown works: **bold**, _italic_, [links](https://example.org), lists."
          value={body}
          onChange={setBody}
        />
      </ComposeCard>
    </>
  );
}

export function ThreadPage() {
  const { id } = useParams();
  const navigate = useNavigate();
  const threadId = Number(id);
  const { member } = useSession();
  const page = useLoad(() => api.thread(threadId), [threadId, member?.id]);
  useTitle(page.data?.thread.title ?? 'Thread');
  const [reply, setReply] = useState('');
  const action = useAction();

  const postReply = action.submit(async () => {
    await api.reply(threadId, reply);
    setReply('');
    page.reload();
  });

  if (page.error) return <ErrorMessage error={page.error} title="Could not load the thread." />;
  if (!page.data) return <Loading />;
  const { thread, posts } = page.data;
  const boardSlug = thread.board?.slug;
  return (
    <>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to="/boards">Boards</Link>
        {boardSlug && (
          <>
            {' '}
            › <Link to={`/boards/${boardSlug}`}>{thread.board.name}</Link>
          </>
        )}
      </nav>
      <h1>{thread.title}</h1>
      <ol className="posts" aria-label="Posts">
        {posts.map((post) => (
          <PostItem
            key={post.id}
            post={post}
            onChanged={page.reload}
            onDeleted={() => {
              // The server removes a thread left without posts: go back to its board.
              if (posts.length === 1 && boardSlug) navigate(`/boards/${boardSlug}`);
              else page.reload();
            }}
          />
        ))}
      </ol>
      <ComposeCard
        id="reply-heading"
        heading="Reply"
        action={action}
        onSubmit={postReply}
        errorTitle="Could not post the reply."
        submitLabel="Post reply"
      >
        <TextAreaField
          label="Your reply"
          name="reply"
          required
          rows={4}
          value={reply}
          onChange={setReply}
        />
      </ComposeCard>
    </>
  );
}

function PostItem({
  post,
  onChanged,
  onDeleted,
}: {
  post: Post;
  onChanged: () => void;
  onDeleted: () => void;
}) {
  const [editing, setEditing] = useState(false);
  const [body, setBody] = useState(post.body);
  const { busy, error, run, submit } = useAction();

  const save = submit(async () => {
    await api.editPost(post.id, body);
    setEditing(false);
    onChanged();
  });

  async function remove() {
    if (!window.confirm('Delete this post?')) return;
    await run(async () => {
      await api.deletePost(post.id);
      onDeleted();
    });
  }

  return (
    <li className="card post" aria-label={`Post by ${post.author ?? 'a deleted member'}`}>
      <header className="post-head">
        {post.author ? (
          <Link to={`/u/${post.author}`} className="strong">
            {post.author}
          </Link>
        ) : (
          <span className="muted">deleted member</span>
        )}
        <span className="muted small">
          {formatTime(post.createdAt)}
          {post.editedAt && ` · edited ${formatTime(post.editedAt)}`}
        </span>
      </header>
      <ErrorMessage error={error} />
      {editing ? (
        <form className="form" onSubmit={save}>
          <TextAreaField label="Edit your post" rows={4} required value={body} onChange={setBody} />
          <div className="row">
            <SubmitButton busy={busy}>Save</SubmitButton>
            <button
              type="button"
              className="button button-ghost"
              onClick={() => {
                setEditing(false);
                setBody(post.body);
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      ) : (
        // The server renders Markdown with raw HTML disabled and safe links only.
        <div className="post-body markdown" dangerouslySetInnerHTML={{ __html: post.bodyHtml }} />
      )}
      {post.mine && !editing && (
        <div className="row post-actions">
          <button
            type="button"
            className="button button-ghost button-small"
            onClick={() => setEditing(true)}
          >
            Edit
          </button>
          <BusyButton
            busy={busy}
            className="button button-ghost button-small"
            onClick={() => void remove()}
          >
            Delete
          </BusyButton>
        </div>
      )}
    </li>
  );
}
