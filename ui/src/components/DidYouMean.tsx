// "Did you mean …?" above search results that only a typo-forgiving search found: the corrected
// query, as a link (a URL with the new search) or a link-styled button (a page without one).
import { Link, type To } from 'react-router-dom';

type Target = { to: To; onPick?: never } | { onPick: (suggestion: string) => void; to?: never };

export function DidYouMean({ suggestion, ...target }: { suggestion: string } & Target) {
  return (
    <p className="did-you-mean">
      Did you mean{' '}
      {target.to !== undefined ? (
        <Link to={target.to}>{suggestion}</Link>
      ) : (
        <button type="button" className="link-button" onClick={() => target.onPick(suggestion)}>
          {suggestion}
        </button>
      )}
      ?
    </p>
  );
}
