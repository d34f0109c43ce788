// Entry point of the lenslab single-page app.
import { StrictMode } from 'react';
import type { ReactElement } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Route, Routes } from 'react-router-dom';
import { Layout } from './components/Layout.tsx';
import { ExperimentsProvider } from './experiments.tsx';
import { LoginPage } from './features/auth/LoginPage.tsx';
import { ResetPasswordPage } from './features/auth/ResetPasswordPage.tsx';
import { SignupPage } from './features/auth/SignupPage.tsx';
import { VerifyEmailPage } from './features/auth/VerifyEmailPage.tsx';
import { consoleRoutes } from './features/console/routes.tsx';
import { AccountPage, ConfirmEmailPage } from './pages/Account.tsx';
import { AnnouncementsPage } from './pages/Announcements.tsx';
import { BoardPage, BoardsPage, ThreadPage } from './pages/Boards.tsx';
import { ExplorePage } from './pages/Explore.tsx';
import { HomePage } from './pages/Home.tsx';
import { ListsPage } from './pages/Lists.tsx';
import { MoviePage } from './pages/Movie.tsx';
import { NotFoundPage } from './pages/NotFound.tsx';
import { OnboardingPage } from './pages/Onboarding.tsx';
import { PrivacyPage } from './pages/Privacy.tsx';
import { ProfilePage } from './pages/Profile.tsx';
import { RatingsPage } from './pages/Ratings.tsx';
import { StatsPage } from './pages/Stats.tsx';
import { TagPage, TagsPage } from './pages/Tags.tsx';
import { SurveyPage, SurveysPage } from './pages/Surveys.tsx';
import { SessionProvider } from './session.tsx';

/** The site's pages inside the frame, by path (besides the home page and the console). */
const PAGES: Array<[string, ReactElement]> = [
  ['signup', <SignupPage />],
  ['login', <LoginPage />],
  ['reset-password', <ResetPasswordPage />],
  ['verify-email', <VerifyEmailPage />],
  ['confirm-email', <ConfirmEmailPage />],
  ['onboarding', <OnboardingPage />],
  ['explore', <ExplorePage />],
  ['movies/:id', <MoviePage />],
  ['ratings', <RatingsPage />],
  ['stats', <StatsPage />],
  ['lists', <ListsPage />],
  ['tags', <TagsPage />],
  ['tags/:tag', <TagPage />],
  ['account', <AccountPage />],
  ['privacy', <PrivacyPage />],
  ['u/:username', <ProfilePage />],
  ['boards', <BoardsPage />],
  ['boards/:slug', <BoardPage />],
  ['threads/:id', <ThreadPage />],
  ['announcements', <AnnouncementsPage />],
  ['surveys', <SurveysPage />],
  ['surveys/:id', <SurveyPage />],
];

function App() {
  return (
    <SessionProvider>
      <ExperimentsProvider>
        <BrowserRouter>
          <Routes>
            <Route element={<Layout />}>
              <Route index element={<HomePage />} />
              {PAGES.map(([path, page]) => (
                <Route key={path} path={path} element={page} />
              ))}
              {consoleRoutes}
              <Route path="*" element={<NotFoundPage />} />
            </Route>
          </Routes>
        </BrowserRouter>
      </ExperimentsProvider>
    </SessionProvider>
  );
}

const root = document.getElementById('root');
if (!root) throw new Error('lenslab: #root is missing from index.html');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
