import { useState } from 'react';
import { api } from '../../api.ts';
import { ErrorMessage, Notice } from '../../components/ErrorMessage.tsx';
import { BusyButton } from '../../components/Form.tsx';
import { useAction } from '../../hooks.ts';

/** What a good password looks like (sign-up and new-password fields). */
export const PASSWORD_HINT =
  'At least 10 characters. A few unrelated words make a strong password.';

/** "Send the link again": always answered alike, so it tells nothing about the address. */
export function ResendLink({ email }: { email: string }) {
  const [sent, setSent] = useState(false);
  const { busy, error, run } = useAction();

  async function resend() {
    await run(async () => {
      await api.resendSignupLink(email);
      setSent(true);
    });
  }

  return (
    <div className="form">
      {sent && <Notice>If a sign-up is waiting for that address, a new link is on its way.</Notice>}
      <ErrorMessage error={error} title="Could not send the link." />
      <BusyButton
        busy={busy}
        busyLabel="Sending…"
        disabled={email.trim() === ''}
        className="button"
        wide
        onClick={() => void resend()}
      >
        Send the link again
      </BusyButton>
    </div>
  );
}
