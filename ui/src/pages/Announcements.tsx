// The announcements sent to members (the same text as the mails), newest first.
import { ErrorMessage, Loading, Notice } from '../components/ErrorMessage.tsx';
import { extrasApi } from '../features/extras/api.ts';
import { useLoad, useTitle } from '../hooks.ts';

export function AnnouncementsPage() {
  useTitle('Announcements');
  const list = useLoad(() => extrasApi.published(), []);
  return (
    <section className="page-narrow">
      <h1>Announcements</h1>
      <p className="muted">
        News about lenslab: new features, changes to the system, invitations. Members who turned on
        e-mail updates (under Privacy) also get them by e-mail.
      </p>
      {list.error ? <ErrorMessage error={list.error} /> : null}
      {list.loading && !list.data ? <Loading /> : null}
      {list.data?.items.length === 0 && <Notice>No announcements yet.</Notice>}
      {list.data?.items.map((announcement) => (
        <article key={announcement.id} className="card announcement">
          <h2>{announcement.subject}</h2>
          <p className="muted">{announcement.sentAt.slice(0, 10)}</p>
          {/* Rendered by the server's Markdown renderer with raw HTML off. */}
          <div className="markdown" dangerouslySetInnerHTML={{ __html: announcement.html }} />
        </article>
      ))}
    </section>
  );
}
