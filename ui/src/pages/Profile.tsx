// A public profile (/u/:username): the username and, when shared publicly, the ratings.
import { useParams } from 'react-router-dom';
import { api } from '../api.ts';
import { ErrorMessage, Loading } from '../components/ErrorMessage.tsx';
import { MovieLine } from '../components/MovieCard.tsx';
import { StarMeter } from '../components/Stars.tsx';
import { useLoad, useTitle } from '../hooks.ts';

export function ProfilePage() {
  const { username = '' } = useParams();
  useTitle(username);
  const profile = useLoad(() => api.profile(username), [username]);
  if (profile.error) return <ErrorMessage error={profile.error} title="No such profile." />;
  if (!profile.data) return <Loading />;
  const { ratings } = profile.data;
  return (
    <>
      <section className="profile-head card">
        <div className="avatar" aria-hidden="true">
          {profile.data.username.slice(0, 1).toUpperCase()}
        </div>
        <div>
          <h1>{profile.data.username}</h1>
          <p className="muted">
            {ratings === null
              ? 'This member keeps their ratings private.'
              : `${ratings.length.toLocaleString()} rating${ratings.length === 1 ? '' : 's'} shared publicly`}
          </p>
        </div>
      </section>
      {ratings && ratings.length > 0 && (
        <section aria-labelledby="profile-ratings">
          <h2 id="profile-ratings">Ratings</h2>
          <ul className="profile-ratings card" aria-label={`Ratings by ${profile.data.username}`}>
            {ratings.map((movie) => (
              <li key={movie.id}>
                <div>
                  <MovieLine movie={movie} />
                </div>
                <StarMeter value={movie.rating} kind="yours" />
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
