// Sign up: the account is created only when the e-mailed link is followed with the sign-up
// password (VerifyEmailPage).
import { useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { api } from '../../api.ts';
import { AuthPanel } from '../../components/AuthPanel.tsx';
import { Choice } from '../../components/Choice.tsx';
import { ErrorMessage, Notice } from '../../components/ErrorMessage.tsx';
import { EmailField, PasswordField, SubmitButton } from '../../components/Form.tsx';
import { useAction, useTitle } from '../../hooks.ts';
import { useSession } from '../../session.tsx';
import { PASSWORD_HINT, ResendLink } from './ResendLink.tsx';

export function SignupPage() {
  useTitle('Sign up');
  const { signedIn } = useSession();
  const navigate = useNavigate();
  const deleted = Boolean((useLocation().state as { deleted?: boolean } | null)?.deleted);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [researchConsent, setResearchConsent] = useState(false);
  const { busy, error, submit } = useAction();
  const [sentTo, setSentTo] = useState<string | null>(null);

  const signUp = submit(async () => {
    const answer = await api.register(email.trim(), password, researchConsent);
    if (answer?.member) {
      signedIn(answer.member, answer.csrfToken);
      navigate('/onboarding');
    } else {
      setSentTo(email.trim());
      setPassword('');
    }
  });

  if (sentTo !== null) return <CheckYourEmail email={sentTo} onBack={() => setSentTo(null)} />;

  return (
    <AuthPanel title="Create your lenslab account">
      <p className="lead">
        Rate a few movies you have seen and lenslab learns your taste. Free, open, and your e-mail
        is stored encrypted and never shown to anyone.
      </p>
      {deleted && (
        <Notice>Your account and all its data were deleted. Thank you for using lenslab.</Notice>
      )}
      <ErrorMessage error={error} title="Could not create the account." />
      <form onSubmit={signUp} className="form">
        <EmailField value={email} onChange={setEmail} />
        <PasswordField
          autoComplete="new-password"
          hint={PASSWORD_HINT}
          value={password}
          onChange={setPassword}
        />
        <Choice
          type="checkbox"
          name="researchConsent"
          checked={researchConsent}
          onChange={setResearchConsent}
          label="Include my ratings in research datasets"
          hint="lenslab publishes anonymised rating datasets for recommender-systems research, like MovieLens. They never contain your e-mail or username, and every release is checked against re-identification attacks before it leaves. You can change this any time."
        />
        <SubmitButton busy={busy} busyLabel="Creating…" wide>
          Create account
        </SubmitButton>
      </form>
      <p className="muted">
        Already a member? <Link to="/login">Log in</Link>
      </p>
    </AuthPanel>
  );
}

/** After sign-up: the same words whether or not the address already had an account. */
function CheckYourEmail({ email, onBack }: { email: string; onBack: () => void }) {
  useTitle('Check your e-mail');
  return (
    <AuthPanel title="Check your e-mail">
      <Notice>
        We sent a message to <strong>{email}</strong>. Follow the link in it and type the password
        you just chose to finish creating your account; the link works once, for 24 hours.
      </Notice>
      <p>
        If that address already has a lenslab account, the message says so instead: then{' '}
        <Link to="/login">log in</Link> or <Link to="/reset-password">reset your password</Link>.
      </p>
      <ResendLink email={email} />
      <p className="muted">
        Wrong address?{' '}
        <button type="button" className="button button-ghost button-small" onClick={onBack}>
          Sign up again
        </button>
      </p>
    </AuthPanel>
  );
}
