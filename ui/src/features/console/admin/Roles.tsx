// Role grants: the list (revoke) and a form to grant a role to a member id.
import { useState } from 'react';
import { ErrorMessage } from '../../../components/ErrorMessage.tsx';
import { InputField, SelectField } from '../../../components/Form.tsx';
import { Table, TableHead } from '../../../components/Table.tsx';
import { useAction, useLoad } from '../../../hooks.ts';
import { consoleApi, type RoleChangeRequest } from '../api.ts';

export function Roles() {
  const roles = useLoad(() => consoleApi.roles(), []);
  const [memberId, setMemberId] = useState('');
  const [role, setRole] = useState<RoleChangeRequest['role']>('researcher');
  const { error, run, submit } = useAction();

  const change =
    (action: 'grant' | 'revoke', id: number, which: RoleChangeRequest['role']) => async () => {
      await consoleApi.changeRole(action, id, which);
      roles.reload();
    };

  return (
    <div className="card">
      <h2>Roles</h2>
      <ErrorMessage error={error ?? roles.error} />
      <Table className="console-table" aria-label="Role grants">
        <TableHead columns={['Member', 'Role', 'Granted', null]} />
        <tbody>
          {(roles.data?.items ?? []).map((grant) => (
            <tr key={`${grant.memberId}:${grant.role}`}>
              <td>#{grant.memberId}</td>
              <td>{grant.role}</td>
              <td>{grant.grantedAt.slice(0, 10)}</td>
              <td>
                <button
                  type="button"
                  className="button button-small button-ghost"
                  onClick={() => void run(change('revoke', grant.memberId, grant.role))}
                >
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </Table>
      <form className="form-inline" onSubmit={submit(change('grant', Number(memberId), role))}>
        <InputField label="Member id" value={memberId} onChange={setMemberId} inputMode="numeric" />
        <SelectField
          label="Role"
          value={role}
          onChange={(value) => setRole(value as RoleChangeRequest['role'])}
          options={['researcher', 'admin']}
        />
        <button type="submit" className="button">
          Grant
        </button>
      </form>
    </div>
  );
}
