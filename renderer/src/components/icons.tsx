import type { NavRoute } from '../store/routes';

/** Line icons for the navigation, drawn inline (no image requests, CSP-friendly). */
const PATHS: Record<NavRoute, string> = {
  documents: 'M6 3h8l4 4v14H6z M14 3v4h4 M9 12h6 M9 16h6',
  messages: 'M4 5h16v11H9l-5 4z',
  sign: 'M4 20h16 M6 16l9-9 3 3-9 9H6z',
  sync: 'M4 12a8 8 0 0 1 14-5l2-2v6h-6l2-2a5 5 0 0 0-9 3 M20 12a8 8 0 0 1-14 5l-2 2v-6h6l-2 2a5 5 0 0 0 9-3',
  settings:
    'M12 9a3 3 0 1 0 0 6 3 3 0 0 0 0-6z M4 12h2 M18 12h2 M12 4v2 M12 18v2 M6.3 6.3l1.4 1.4 M16.3 16.3l1.4 1.4 M6.3 17.7l1.4-1.4 M16.3 7.7l1.4-1.4',
  about: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z M12 11v6 M12 7.5v.5',
};

export function NavIcon({ route }: { route: NavRoute }) {
  return (
    <svg className="nav-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path
        d={PATHS[route]}
        fill="none"
        stroke="currentColor"
        strokeWidth="1.8"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}
