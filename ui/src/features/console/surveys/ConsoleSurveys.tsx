// The console's surveys: every survey with its state, the admin's approval, and a new survey.
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { ErrorMessage, Loading } from '../../../components/ErrorMessage.tsx';
import { TableHead } from '../../../components/Table.tsx';
import { useAction, useLoad, useTitle } from '../../../hooks.ts';
import { useSession } from '../../../session.tsx';
import { extrasApi } from '../../extras/api.ts';
import { CreateSurvey } from './CreateSurvey.tsx';

export function ConsoleSurveys() {
  useTitle('Surveys · Console');
  const { member } = useSession();
  const admin = member?.roles.includes('admin') ?? false;
  const list = useLoad(() => extrasApi.surveys(), []);
  const approval = useAction();
  const [invited, setInvited] = useState<string | null>(null);
  if (list.error) return <ErrorMessage error={list.error} />;
  if (!list.data) return <Loading />;
  return (
    <div className="console-section">
      <ErrorMessage error={approval.error} />
      {invited && <p role="status">{invited} (progress under Announcements).</p>}
      <table className="console-table" aria-label="Surveys">
        <TableHead columns={['Survey', 'State', 'Open', 'Results']} />
        <tbody>
          {list.data.items.map((survey) => (
            <tr key={survey.id}>
              <th scope="row">{survey.title}</th>
              <td>
                {survey.state}
                {admin && survey.state === 'awaiting-approval' && (
                  <>
                    {' '}
                    <button
                      type="button"
                      className="button"
                      onClick={() =>
                        void approval.run(async () => {
                          await extrasApi.approveSurvey(survey.id);
                          list.reload();
                        })
                      }
                    >
                      Approve
                    </button>
                  </>
                )}
                {admin && (survey.state === 'open' || survey.state === 'scheduled') && (
                  <>
                    {' '}
                    <button
                      type="button"
                      className="button"
                      onClick={() =>
                        void approval.run(async () => {
                          const sent = await extrasApi.inviteToSurvey(survey.id);
                          setInvited(
                            `${survey.title}: invitation sending to ${sent.recipients} members`,
                          );
                        })
                      }
                    >
                      Invite by e-mail
                    </button>
                  </>
                )}
              </td>
              <td>
                {survey.opensAt.slice(0, 10)} – {survey.closesAt.slice(0, 10)}
              </td>
              <td>
                <Link to={`/console/surveys/${survey.id}`}>Results</Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <CreateSurvey onCreated={list.reload} />
    </div>
  );
}
