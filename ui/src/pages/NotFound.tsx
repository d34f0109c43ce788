import { Link } from 'react-router-dom';
import { useTitle } from '../hooks.ts';

export function NotFoundPage() {
  useTitle('Not found');
  return (
    <section className="hero">
      <h1>Page not found</h1>
      <p className="lead">There is nothing at this address.</p>
      <Link to="/" className="button button-primary">
        Go home
      </Link>
    </section>
  );
}
