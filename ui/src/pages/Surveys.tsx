// A member's research surveys: the invitations, and one survey with its own privacy statement.
// Taking part is optional and starts with accepting the statement; declining changes nothing
// else; answers can be withdrawn until the survey closes.
import { Link, useParams } from 'react-router-dom';
import { ErrorMessage, Loading, Notice } from '../components/ErrorMessage.tsx';
import { BusyButton } from '../components/Form.tsx';
import { RequireMember } from '../components/RequireMember.tsx';
import { extrasApi, type MemberSurvey } from '../features/extras/api.ts';
import { SurveyForm } from '../features/extras/SurveyForm.tsx';
import { useAction, useLoad, useTitle } from '../hooks.ts';

const PARTICIPATION: Record<string, string> = {
  accepted: 'statement accepted, not answered yet',
  declined: 'declined',
  answered: 'answered',
};

export function SurveysPage() {
  useTitle('Surveys');
  return (
    <RequireMember>
      <SurveyList />
    </RequireMember>
  );
}

function SurveyList() {
  const list = useLoad(() => extrasApi.invitations(), []);
  return (
    <section className="page-narrow">
      <h1>Surveys</h1>
      <p className="muted">
        Research surveys you are invited to. Each has its own privacy statement; taking part is
        optional, and declining changes nothing else.
      </p>
      {list.error ? <ErrorMessage error={list.error} /> : null}
      {list.loading && !list.data ? <Loading /> : null}
      {list.data?.items.length === 0 && <Notice>No open surveys for you right now.</Notice>}
      <ul className="plain-list">
        {list.data?.items.map((survey) => (
          <li key={survey.id} className="card">
            <Link to={`/surveys/${survey.id}`}>{survey.title}</Link>
            <p className="muted">
              Open until {survey.closesAt.slice(0, 10)}
              {survey.participation ? ` · ${PARTICIPATION[survey.participation]}` : ''}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function SurveyPage() {
  return (
    <RequireMember>
      <SurveyView />
    </RequireMember>
  );
}

function SurveyView() {
  const id = Number(useParams().id);
  const survey = useLoad(() => extrasApi.survey(id), [id]);
  const action = useAction();
  useTitle(survey.data?.title ?? 'Survey');
  if (survey.error) return <ErrorMessage error={survey.error} />;
  if (!survey.data) return <Loading />;
  const current = survey.data;
  const open = current.state === 'open';
  const update = (job: () => Promise<MemberSurvey | void>) =>
    void action.run(async () => {
      await job();
      survey.reload();
    });
  return (
    <section className="page-narrow" data-testid="survey">
      <p>
        <Link to="/surveys">← All surveys</Link>
      </p>
      <h1>{current.title}</h1>
      <Statement survey={current} />
      <ErrorMessage error={action.error} />
      {!open && <Notice>This survey is closed.</Notice>}
      {open && (current.participation === null || current.participation === 'declined') && (
        <div className="form-actions">
          <BusyButton
            busy={action.busy}
            onClick={() => update(() => extrasApi.decide(id, 'accept'))}
          >
            Accept and take part
          </BusyButton>
          {current.participation === null && (
            <BusyButton
              busy={action.busy}
              className="button"
              onClick={() => update(() => extrasApi.decide(id, 'decline'))}
            >
              No, thanks
            </BusyButton>
          )}
        </div>
      )}
      {current.participation === 'declined' && (
        <p role="status">You declined this survey. Nothing else about your account changed.</p>
      )}
      {open && (current.participation === 'accepted' || current.participation === 'answered') && (
        <>
          {current.participation === 'answered' && (
            <p role="status" className="alert">
              Thank you: your answers are saved. You can change them, or withdraw them until{' '}
              {current.closesAt.slice(0, 10)}.
            </p>
          )}
          <SurveyForm
            survey={current}
            busy={action.busy}
            onSubmit={(answers) => update(() => extrasApi.answer(id, answers))}
          />
          <BusyButton
            busy={action.busy}
            className="button button-danger"
            onClick={() => update(() => extrasApi.withdraw(id))}
          >
            Withdraw from this survey
          </BusyButton>
        </>
      )}
    </section>
  );
}

function Statement({ survey }: { survey: MemberSurvey }) {
  const { statement } = survey;
  return (
    <div className="card" aria-label="Privacy statement of this survey" role="region">
      <h2>Privacy statement</h2>
      <dl>
        <dt>What is collected</dt>
        <dd>{statement.collected}</dd>
        <dt>Why</dt>
        <dd>{statement.purpose}</dd>
        <dt>Who sees it</dt>
        <dd>{statement.access}</dd>
        <dt>How long it is kept</dt>
        <dd>{statement.retention}</dd>
      </dl>
      <p className="muted">
        Your answers are stored under your member number, never your e-mail address, and are deleted
        with your account.
        {survey.releasable
          ? ' They may be part of a published research dataset, under lenslab’s release policy.'
          : ' They are not published in datasets.'}
      </p>
    </div>
  );
}
