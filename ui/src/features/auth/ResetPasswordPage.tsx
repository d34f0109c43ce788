// Password reset: ask for a link by e-mail; the link (/reset-password?token=…) sets a new one.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { api } from '../../api.ts';
import { AuthPanel } from '../../components/AuthPanel.tsx';
import { ErrorMessage, Notice } from '../../components/ErrorMessage.tsx';
import { EmailField, PasswordField, SubmitButton } from '../../components/Form.tsx';
import { useAction, useTitle } from '../../hooks.ts';
import { PASSWORD_HINT } from './ResendLink.tsx';

export function ResetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get('token');
  return token ? <ChooseNewPassword token={token} /> : <RequestReset />;
}

function RequestReset() {
  useTitle('Reset your password');
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const { busy, error, submit } = useAction();

  const requestLink = submit(async () => {
    await api.requestPasswordReset(email.trim());
    setSent(true);
  });

  return (
    <AuthPanel title="Reset your password">
      <p className="lead">
        Enter the e-mail address you registered with. If it belongs to an account, we send a link to
        choose a new password. The link works once and expires soon.
      </p>
      {sent && (
        <Notice>
          If an account uses that address, a reset link is on its way. Check your inbox.
        </Notice>
      )}
      <ErrorMessage error={error} title="Could not send the reset link." />
      <form onSubmit={requestLink} className="form">
        <EmailField value={email} onChange={setEmail} />
        <SubmitButton busy={busy} busyLabel="Sending…" wide>
          Send reset link
        </SubmitButton>
      </form>
      <p className="muted">
        <Link to="/login">Back to log in</Link>
      </p>
    </AuthPanel>
  );
}

function ChooseNewPassword({ token }: { token: string }) {
  useTitle('Choose a new password');
  const navigate = useNavigate();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const { busy, error, setError, run } = useAction();

  async function save(event: FormEvent) {
    event.preventDefault();
    if (password !== repeat) {
      setError(new Error('The two passwords are not the same.'));
      return;
    }
    await run(async () => {
      await api.confirmPasswordReset(token, password);
      navigate('/login', { state: { reset: true } });
    });
  }

  return (
    <AuthPanel title="Choose a new password">
      <ErrorMessage error={error} title="Could not change the password." />
      <form onSubmit={(event) => void save(event)} className="form">
        <PasswordField
          label="New password"
          autoComplete="new-password"
          hint={PASSWORD_HINT}
          value={password}
          onChange={setPassword}
        />
        <PasswordField
          label="Repeat new password"
          name="repeat"
          autoComplete="new-password"
          value={repeat}
          onChange={setRepeat}
        />
        <SubmitButton busy={busy} busyLabel="Saving…" wide>
          Set new password
        </SubmitButton>
      </form>
    </AuthPanel>
  );
}
