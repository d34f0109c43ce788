// The researcher console's frame (researchers and admins; the server checks the role on every
// request): the role check for the UI, the tabs, and the tab's section.
import { NavLink, Navigate, Outlet, useLocation } from 'react-router-dom';
import { Loading } from '../../components/ErrorMessage.tsx';
import { useSession } from '../../session.tsx';

export function canUseConsole(roles: string[] | undefined): boolean {
  return !!roles && (roles.includes('researcher') || roles.includes('admin'));
}

const TABS = [
  { to: '/console', label: 'Overview' },
  { to: '/console/experiments', label: 'Experiments' },
  { to: '/console/runs', label: 'Model runs' },
  { to: '/console/releases', label: 'Releases' },
  { to: '/console/events', label: 'Event log' },
  { to: '/console/surveys', label: 'Surveys' },
  { to: '/console/announcements', label: 'Announcements', adminOnly: true },
  { to: '/console/admin', label: 'Admin', adminOnly: true },
];

function tabClass({ isActive }: { isActive: boolean }) {
  return isActive ? 'console-tab is-active' : 'console-tab';
}

export function ConsoleLayout() {
  const { member, ready } = useSession();
  const location = useLocation();
  if (!ready) return <Loading />;
  if (!member) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  if (!canUseConsole(member.roles)) {
    return (
      <section className="console">
        <h1>Researcher console</h1>
        <p className="alert alert-error" role="alert">
          The console is for researchers and admins. Ask an admin to grant you the researcher role.
        </p>
      </section>
    );
  }
  const admin = member.roles.includes('admin');
  return (
    <section className="console">
      <h1>Researcher console</h1>
      <p className="muted">
        Pseudonymous data only: members appear as numbers. Identity lookups are admin-only and
        audited.
      </p>
      <nav className="console-tabs" aria-label="Console sections">
        {TABS.filter((tab) => admin || !tab.adminOnly).map((tab) => (
          <NavLink key={tab.to} to={tab.to} end={tab.to === '/console'} className={tabClass}>
            {tab.label}
          </NavLink>
        ))}
      </nav>
      <Outlet />
    </section>
  );
}
