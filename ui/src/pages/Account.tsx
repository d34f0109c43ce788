// Account: change e-mail (confirmed by a link to the new address) or password, download my
// data, delete my account; and the page of the change-of-address link.
import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { api, ApiError } from '../api.ts';
import { AuthPanel, DeadLinkAlert } from '../components/AuthPanel.tsx';
import { ErrorMessage, Loading, Notice } from '../components/ErrorMessage.tsx';
import {
  BusyButton,
  EmailField,
  PasswordField,
  SubmitButton,
  type ActionFormProps,
} from '../components/Form.tsx';
import { RequireMember } from '../components/RequireMember.tsx';
import { useAction, useLoad, useTitle } from '../hooks.ts';
import { useSession } from '../session.tsx';

export function AccountPage() {
  return (
    <RequireMember>
      <Account />
    </RequireMember>
  );
}

function Account() {
  useTitle('Account');
  const account = useLoad(() => api.account(), []);
  return (
    <section className="settings">
      <h1>Account</h1>
      <div className="card">
        <h2>Your e-mail</h2>
        <ErrorMessage error={account.error} />
        {account.loading && !account.data ? (
          <Loading />
        ) : (
          <p>
            You log in as <strong className="email">{account.data?.email}</strong>. Only you can see
            this.
          </p>
        )}
        <ChangeEmail />
      </div>
      <div className="card">
        <h2>Password</h2>
        <ChangePassword />
      </div>
      <div className="card">
        <h2>Your data</h2>
        <p>
          Download everything lenslab keeps about you — your account, privacy choices, ratings and
          posts — as one JSON file.
        </p>
        <a className="button" href="/api/me/export" download="lenslab-my-data.json">
          Download my data
        </a>
      </div>
      <DeleteAccount />
    </section>
  );
}

type ChangeFormProps = ActionFormProps & {
  /** The form's name and its button's text. */
  label: string;
  /** What the last change did. */
  notice: ReactNode;
};

/** A change form of the account page: a notice of what happened, the error, fields, a button. */
function ChangeForm({ label, notice, action, onSubmit, errorTitle, children }: ChangeFormProps) {
  return (
    <form className="form form-inline" onSubmit={onSubmit} aria-label={label}>
      {notice}
      <ErrorMessage error={action.error} title={errorTitle} />
      {children}
      <SubmitButton busy={action.busy} className="button">
        {label}
      </SubmitButton>
    </form>
  );
}

function CurrentPasswordField(props: { value: string; onChange: (value: string) => void }) {
  return <PasswordField label="Current password" name="currentPassword" {...props} />;
}

/** The address changes only when the link mailed to it is followed (ConfirmEmailPage). */
function ChangeEmail() {
  const [email, setEmail] = useState('');
  const [currentPassword, setCurrentPassword] = useState('');
  const action = useAction();
  const [sentTo, setSentTo] = useState<string | null>(null);

  const change = action.submit(async () => {
    setSentTo(null);
    await api.updateAccount({ currentPassword, email: email.trim() });
    setSentTo(email.trim());
    setEmail('');
    setCurrentPassword('');
  });

  return (
    <ChangeForm
      label="Change e-mail"
      action={action}
      onSubmit={change}
      errorTitle="Could not change the e-mail."
      notice={
        sentTo !== null && (
          <Notice>
            Check your new address: we sent a link to <strong>{sentTo}</strong>. Your e-mail changes
            when you follow it (it works once, for 24 hours); until then you log in as before.
          </Notice>
        )
      }
    >
      <EmailField label="New e-mail" value={email} onChange={setEmail} />
      <CurrentPasswordField value={currentPassword} onChange={setCurrentPassword} />
    </ChangeForm>
  );
}

function ChangePassword() {
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const action = useAction();
  const [done, setDone] = useState(false);

  const change = action.submit(async () => {
    setDone(false);
    await api.updateAccount({ currentPassword, newPassword });
    setDone(true);
    setCurrentPassword('');
    setNewPassword('');
  });

  return (
    <ChangeForm
      label="Change password"
      action={action}
      onSubmit={change}
      errorTitle="Could not change the password."
      notice={done && <Notice>Your password was changed.</Notice>}
    >
      <CurrentPasswordField value={currentPassword} onChange={setCurrentPassword} />
      <PasswordField
        label="New password"
        name="newPassword"
        autoComplete="new-password"
        value={newPassword}
        onChange={setNewPassword}
      />
    </ChangeForm>
  );
}

function DeleteAccount() {
  const { refresh } = useSession();
  const navigate = useNavigate();
  const [password, setPassword] = useState('');
  const [confirming, setConfirming] = useState(false);
  const { busy, error, run } = useAction();

  async function reallyDelete() {
    const ok = await run(async () => {
      await api.deleteAccount(password);
      // Leave the members-only page first, then forget the member.
      navigate('/signup', { state: { deleted: true } });
      await refresh();
    });
    if (!ok) setConfirming(false);
  }

  return (
    <div className="card danger-zone">
      <h2>Delete my account</h2>
      <p>
        This removes your identity (e-mail and password), your ratings, your sessions and your board
        posts for good. Research datasets published earlier used fresh random ids, so nothing in
        them points back to you. It cannot be undone.
      </p>
      <ErrorMessage error={error} title="Could not delete the account." />
      <form
        className="form form-inline"
        aria-label="Delete my account"
        onSubmit={(event) => {
          event.preventDefault();
          setConfirming(true);
        }}
      >
        <PasswordField
          label="Password to confirm"
          name="deletePassword"
          value={password}
          onChange={setPassword}
        />
        <SubmitButton busy={busy} disabled={confirming} className="button button-danger">
          Delete my account…
        </SubmitButton>
      </form>
      {confirming && (
        <div
          className="confirm"
          role="alertdialog"
          aria-modal="false"
          aria-labelledby="confirm-delete-title"
          aria-describedby="confirm-delete-text"
        >
          <h3 id="confirm-delete-title">Delete your account now?</h3>
          <p id="confirm-delete-text">
            Everything listed above is removed immediately. You can register again with the same
            e-mail later, as a new member.
          </p>
          <div className="confirm-actions">
            <BusyButton
              busy={busy}
              busyLabel="Deleting…"
              className="button button-danger"
              onClick={() => void reallyDelete()}
            >
              Yes, delete everything
            </BusyButton>
            <BusyButton
              busy={busy}
              className="button button-ghost"
              onClick={() => setConfirming(false)}
            >
              Cancel
            </BusyButton>
          </div>
        </div>
      )}
    </div>
  );
}

// A link is single-use: React's development double effects (and a reload while the answer is on
// its way) must not spend it twice, so each token is sent once per page load.
const confirmations = new Map<string, Promise<{ status: string }>>();

/** The change-of-address link's page: confirms the new address (no login needed). */
export function ConfirmEmailPage() {
  useTitle('Confirm your new e-mail');
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const { member, ready } = useSession();
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    // A logged-in browser sends the CSRF token, which the page's own session lookup brings.
    if (!token || !ready) return;
    let current = true;
    let answer = confirmations.get(token);
    if (!answer) {
      answer = api.confirmEmailChange(token);
      confirmations.set(token, answer);
    }
    answer.then(
      () => {
        if (current) setDone(true);
      },
      (failure: unknown) => {
        if (current) setError(failure);
      },
    );
    return () => {
      current = false;
    };
  }, [token, ready]);

  const badLink = !token || (error instanceof ApiError && error.status === 400);
  return (
    <AuthPanel title="Confirm your new e-mail">
      {badLink ? (
        <>
          <DeadLinkAlert>
            It is unknown, expired (after 24 hours), already used, or replaced by a newer request.
          </DeadLinkAlert>
          <p>
            Your e-mail address did not change. Ask for the change again on your{' '}
            <Link to="/account">account page</Link>.
          </p>
        </>
      ) : error ? (
        <ErrorMessage error={error} title="Could not change the e-mail." />
      ) : done ? (
        <>
          <Notice>Your e-mail address was changed. From now on you log in with the new one.</Notice>
          <p>
            {member ? (
              <Link to="/account">Back to your account</Link>
            ) : (
              <Link to="/login">Log in</Link>
            )}
          </p>
        </>
      ) : (
        <Loading label="Changing your e-mail…" />
      )}
    </AuthPanel>
  );
}
