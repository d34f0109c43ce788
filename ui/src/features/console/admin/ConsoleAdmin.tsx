// The admin tab: roles, the identity lookup and the access-audit log.
import { useTitle } from '../../../hooks.ts';
import { useSession } from '../../../session.tsx';
import { AuditLog } from './AuditLog.tsx';
import { IdentityLookup } from './IdentityLookup.tsx';
import { Roles } from './Roles.tsx';

export function ConsoleAdmin() {
  useTitle('Admin · Console');
  const { member } = useSession();
  if (!member?.roles.includes('admin')) {
    return <p className="alert alert-error">This section is for admins.</p>;
  }
  return (
    <div className="console-section">
      <Roles />
      <IdentityLookup />
      <AuditLog />
    </div>
  );
}
