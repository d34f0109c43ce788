// The page frame: header with the main navigation, the page, and a footer.
import { useState } from 'react';
import { Link, NavLink, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { api } from '../api.ts';
import { canUseConsole } from '../features/console/ConsoleLayout.tsx';
import { useSession } from '../session.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';

function navClass({ isActive }: { isActive: boolean }) {
  return isActive ? 'nav-link is-active' : 'nav-link';
}

export function Layout() {
  const { member, refresh, error } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const [logoutError, setLogoutError] = useState<unknown>(null);

  async function logout() {
    setLogoutError(null);
    try {
      await api.logout();
    } catch (failure) {
      setLogoutError(failure);
    }
    await refresh();
    navigate('/login', { state: { loggedOut: true } });
  }

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <div className="header-inner">
          <Link to="/" className="brand" aria-label="lenslab home">
            <span className="brand-mark" aria-hidden="true">
              ◎
            </span>
            <span>
              lens<span className="brand-accent">lab</span>
            </span>
          </Link>
          <button
            type="button"
            className="menu-toggle"
            aria-expanded={menuOpen}
            aria-controls="main-nav"
            onClick={() => setMenuOpen((open) => !open)}
          >
            Menu
          </button>
          <nav
            id="main-nav"
            aria-label="Main"
            className={menuOpen ? 'main-nav is-open' : 'main-nav'}
            onClick={() => setMenuOpen(false)}
          >
            <NavLink to="/" end className={navClass}>
              Home
            </NavLink>
            <NavLink to="/explore" className={navClass}>
              Explore
            </NavLink>
            {member && (
              <NavLink to="/ratings" className={navClass}>
                Your ratings
              </NavLink>
            )}
            {member && (
              <>
                <NavLink to="/stats" className={navClass}>
                  Your stats
                </NavLink>
                <NavLink to="/lists" className={navClass}>
                  My lists
                </NavLink>
              </>
            )}
            <NavLink to="/tags" className={navClass}>
              Tags
            </NavLink>
            <NavLink to="/boards" className={navClass}>
              Boards
            </NavLink>
            <NavLink to="/announcements" className={navClass}>
              News
            </NavLink>
            {member && (
              <NavLink to="/surveys" className={navClass}>
                Surveys
              </NavLink>
            )}
            {canUseConsole(member?.roles) && (
              <NavLink to="/console" className={navClass}>
                Console
              </NavLink>
            )}
            <span className="nav-spacer" />
            {member ? (
              <>
                <NavLink to="/privacy" className={navClass}>
                  Privacy
                </NavLink>
                <NavLink to="/account" className={navClass}>
                  Account
                </NavLink>
                <span className="member-badge" title="Your public username">
                  {member.username ?? `member #${member.id}`}
                </span>
                <button type="button" className="button button-ghost" onClick={() => void logout()}>
                  Log out
                </button>
              </>
            ) : (
              <>
                <NavLink to="/login" className={navClass} state={{ from: location.pathname }}>
                  Log in
                </NavLink>
                <Link to="/signup" className="button button-primary">
                  Sign up
                </Link>
              </>
            )}
          </nav>
        </div>
      </header>
      <main id="main" className="page">
        {error ? <ErrorMessage error={error} title="Could not load your session." /> : null}
        <ErrorMessage error={logoutError} title="Logging out failed." />
        <Outlet />
      </main>
      <footer className="site-footer">
        <p>
          lenslab — an open, privacy-first movie recommender. Your e-mail is kept encrypted and
          never shown to anyone; everything else knows you only by a number.{' '}
          <a href="/api/docs">API</a>
        </p>
      </footer>
    </div>
  );
}
