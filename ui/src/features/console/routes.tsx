// The console's routes, nested under /console in main.tsx.
import { Route } from 'react-router-dom';
import { ConsoleAdmin } from './admin/ConsoleAdmin.tsx';
import { ConsoleAnnouncements } from './announcements/ConsoleAnnouncements.tsx';
import { ConsoleLayout } from './ConsoleLayout.tsx';
import { ConsoleEvents } from './events/ConsoleEvents.tsx';
import { ConsoleExperimentResults } from './experiments/ConsoleExperimentResults.tsx';
import { ConsoleExperiments } from './experiments/ConsoleExperiments.tsx';
import { ConsoleRecommenderChoices } from './experiments/ConsoleRecommenderChoices.tsx';
import { ConsoleOverview } from './overview/ConsoleOverview.tsx';
import { ConsoleReleases } from './releases/ConsoleReleases.tsx';
import { ConsoleRuns } from './runs/ConsoleRuns.tsx';
import { ConsoleSurveyResults } from './surveys/ConsoleSurveyResults.tsx';
import { ConsoleSurveys } from './surveys/ConsoleSurveys.tsx';

export const consoleRoutes = (
  <Route path="console" element={<ConsoleLayout />}>
    <Route index element={<ConsoleOverview />} />
    <Route path="experiments" element={<ConsoleExperiments />} />
    <Route path="experiments/:id" element={<ConsoleExperimentResults />} />
    <Route path="recommender-choices" element={<ConsoleRecommenderChoices />} />
    <Route path="runs" element={<ConsoleRuns />} />
    <Route path="releases" element={<ConsoleReleases />} />
    <Route path="events" element={<ConsoleEvents />} />
    <Route path="surveys" element={<ConsoleSurveys />} />
    <Route path="surveys/:id" element={<ConsoleSurveyResults />} />
    <Route path="announcements" element={<ConsoleAnnouncements />} />
    <Route path="admin" element={<ConsoleAdmin />} />
  </Route>
);
