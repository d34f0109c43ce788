// Entry point of the lenslab single-page app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Route, Routes } from 'react-router-dom';
import { Layout } from './components/Layout.tsx';
import { ExperimentsProvider } from './experiments.tsx';
import { AccountPage, ConfirmEmailPage } from './pages/Account.tsx';
import { BoardPage, BoardsPage, ThreadPage } from './pages/Boards.tsx';
import {
  ConsoleAdmin,
  ConsoleEvents,
  ConsoleExperimentResults,
  ConsoleExperiments,
  ConsoleLayout,
  ConsoleOverview,
  ConsoleReleases,
  ConsoleRuns,
} from './pages/console/Console.tsx';
import { ExplorePage } from './pages/Explore.tsx';
import { HomePage } from './pages/Home.tsx';
import { LoginPage, ResetPasswordPage, SignupPage, VerifyEmailPage } from './pages/Auth.tsx';
import { MoviePage } from './pages/Movie.tsx';
import { NotFoundPage } from './pages/NotFound.tsx';
import { OnboardingPage } from './pages/Onboarding.tsx';
import { PrivacyPage } from './pages/Privacy.tsx';
import { ProfilePage } from './pages/Profile.tsx';
import { RatingsPage } from './pages/Ratings.tsx';
import { SessionProvider } from './session.tsx';

function App() {
  return (
    <SessionProvider>
      <ExperimentsProvider>
        <BrowserRouter>
          <Routes>
            <Route element={<Layout />}>
              <Route index element={<HomePage />} />
              <Route path="signup" element={<SignupPage />} />
              <Route path="login" element={<LoginPage />} />
              <Route path="reset-password" element={<ResetPasswordPage />} />
              <Route path="verify-email" element={<VerifyEmailPage />} />
              <Route path="confirm-email" element={<ConfirmEmailPage />} />
              <Route path="onboarding" element={<OnboardingPage />} />
              <Route path="explore" element={<ExplorePage />} />
              <Route path="movies/:id" element={<MoviePage />} />
              <Route path="ratings" element={<RatingsPage />} />
              <Route path="account" element={<AccountPage />} />
              <Route path="privacy" element={<PrivacyPage />} />
              <Route path="u/:username" element={<ProfilePage />} />
              <Route path="boards" element={<BoardsPage />} />
              <Route path="boards/:slug" element={<BoardPage />} />
              <Route path="threads/:id" element={<ThreadPage />} />
              <Route path="console" element={<ConsoleLayout />}>
                <Route index element={<ConsoleOverview />} />
                <Route path="experiments" element={<ConsoleExperiments />} />
                <Route path="experiments/:id" element={<ConsoleExperimentResults />} />
                <Route path="runs" element={<ConsoleRuns />} />
                <Route path="releases" element={<ConsoleReleases />} />
                <Route path="events" element={<ConsoleEvents />} />
                <Route path="admin" element={<ConsoleAdmin />} />
              </Route>
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
