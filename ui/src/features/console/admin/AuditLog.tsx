// The access-audit log: the newest 100 entries.
import { ErrorMessage } from '../../../components/ErrorMessage.tsx';
import { Table, TableHead } from '../../../components/Table.tsx';
import { useLoad } from '../../../hooks.ts';
import { consoleApi } from '../api.ts';

export function AuditLog() {
  const audit = useLoad(() => consoleApi.audit(), []);
  return (
    <div className="card">
      <h2>Access-audit log</h2>
      <ErrorMessage error={audit.error} />
      <Table className="console-table" aria-label="Access-audit log">
        <TableHead columns={['When (UTC)', 'Who', 'Action', 'Member', 'Reason / detail']} />
        <tbody>
          {(audit.data?.items ?? []).map((entry) => (
            <tr key={entry.id}>
              <td>{entry.occurredAt.slice(0, 19).replace('T', ' ')}</td>
              <td>{entry.actorId === null ? 'command line' : `#${entry.actorId}`}</td>
              <td>{entry.action}</td>
              <td>{entry.targetMemberId === null ? '' : `#${entry.targetMemberId}`}</td>
              <td>{entry.reason ?? (entry.detail ? JSON.stringify(entry.detail) : '')}</td>
            </tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}
