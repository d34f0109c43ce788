// The identity lookup: reveals a member's e-mail, for a stated reason written to the audit log.
import { useState } from 'react';
import { ErrorMessage } from '../../../components/ErrorMessage.tsx';
import { InputField, TextAreaField } from '../../../components/Form.tsx';
import { useAction } from '../../../hooks.ts';
import { consoleApi } from '../api.ts';

export function IdentityLookup() {
  const [memberId, setMemberId] = useState('');
  const [reason, setReason] = useState('');
  const [answer, setAnswer] = useState<{ memberId: number; email: string | null } | null>(null);
  const { error, submit } = useAction();

  const lookUp = submit(async () => {
    setAnswer(null);
    setAnswer(await consoleApi.lookupIdentity(Number(memberId), reason));
  });

  return (
    <form className="card form" onSubmit={lookUp} aria-label="Identity lookup">
      <h2>Identity lookup</h2>
      <p className="muted">
        Reveals a member’s e-mail. State why; the lookup is written to the access-audit log before
        the vault is asked, and the log cannot be edited.
      </p>
      <ErrorMessage error={error} title="No lookup." />
      <InputField label="Member id" value={memberId} onChange={setMemberId} inputMode="numeric" />
      <TextAreaField label="Reason" value={reason} onChange={setReason} rows={2} />
      <button type="submit" className="button button-danger">
        Look up
      </button>
      {answer && (
        <p className="alert" role="status">
          Member #{answer.memberId}: {answer.email ?? 'no identity on file'}
        </p>
      )}
    </form>
  );
}
