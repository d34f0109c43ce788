// The admin's announcements: write a draft (subject, Markdown body, mails per minute), preview it
// with the number of opted-in members it will reach, send it, and follow its progress. No
// recipient is ever shown: the server answers with counts only.
import { useState } from 'react';
import { ErrorMessage, Loading } from '../../../components/ErrorMessage.tsx';
import { BusyButton, InputField, SubmitButton, TextAreaField } from '../../../components/Form.tsx';
import { TableHead } from '../../../components/Table.tsx';
import { useAction, useDraft, useTitle } from '../../../hooks.ts';
import { useSession } from '../../../session.tsx';
import { extrasApi, type AnnouncementPreview } from '../../extras/api.ts';
import { JobProgress, useJobList } from '../jobs.tsx';

export function ConsoleAnnouncements() {
  useTitle('Announcements · Console');
  const { member } = useSession();
  if (!member?.roles.includes('admin'))
    return <p className="alert alert-error">This section is for admins.</p>;
  return <Announcements />;
}

function Announcements() {
  const jobs = useJobList(() => extrasApi.announcements());
  const { draft, field } = useDraft({ subject: '', body: '', ratePerMinute: '600' });
  const action = useAction();
  const [preview, setPreview] = useState<(AnnouncementPreview & { id: number }) | null>(null);
  const list = jobs.list.data;

  const create = action.submit(async () => {
    const created = await extrasApi.createAnnouncement({
      subject: draft.subject,
      body: draft.body,
      ratePerMinute: Number(draft.ratePerMinute),
    });
    setPreview({ id: created.id, ...(await extrasApi.preview(created.id)) });
    jobs.list.reload();
  });
  const showPreview = (id: number) =>
    void action.run(async () => setPreview({ id, ...(await extrasApi.preview(id)) }));

  return (
    <div className="console-section">
      <form className="card form" onSubmit={create} aria-label="New announcement">
        <h2>New announcement</h2>
        <p className="muted">
          Goes to the members who turned on e-mail updates and have a confirmed address
          {list ? ` (${list.optedIn} now)` : ''}, each with the one-click unsubscribe link. Sent
          announcements are also shown on the site.
        </p>
        <InputField label="Subject" required maxLength={200} {...field('subject')} />
        <TextAreaField label="Message (Markdown)" required rows={8} {...field('body')} />
        <InputField
          label="Mails per minute"
          type="number"
          min={1}
          inputMode="numeric"
          {...field('ratePerMinute')}
        />
        <SubmitButton busy={action.busy}>Save draft and preview</SubmitButton>
      </form>
      <ErrorMessage error={action.error ?? jobs.error} />
      {preview && (
        <section className="card" aria-label="Preview" data-testid="announcement-preview">
          <h2>Preview: {preview.subject}</h2>
          <div className="markdown" dangerouslySetInnerHTML={{ __html: preview.html }} />
          <p>
            Will reach <strong data-testid="recipients">{preview.recipients}</strong> members.
          </p>
          <BusyButton
            busy={jobs.busy}
            busyLabel="Sending…"
            onClick={() =>
              void jobs.start(async () => {
                await extrasApi.sendAnnouncement(preview.id);
                setPreview(null);
              })
            }
          >
            Send to {preview.recipients} members
          </BusyButton>
        </section>
      )}
      {!list ? (
        <Loading />
      ) : (
        <table className="console-table" aria-label="Announcements">
          <TableHead columns={['Subject', 'Status', 'Progress', 'Created']} />
          <tbody>
            {list.items.map((item) => (
              <tr key={item.id}>
                <th scope="row">{item.subject}</th>
                <td>{item.status}</td>
                <td>
                  {item.status === 'draft' ? (
                    <button type="button" className="button" onClick={() => showPreview(item.id)}>
                      Preview
                    </button>
                  ) : (
                    <JobProgress
                      label={`Progress of ${item.subject}`}
                      progress={item.progress}
                      note={`${item.sent} of ${item.recipients ?? 0} · ${item.ratePerMinute}/min`}
                    />
                  )}
                </td>
                <td>{item.createdAt.slice(0, 10)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
