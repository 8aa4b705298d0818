import { useTranslation } from 'react-i18next';
import { useAppStore } from '../store/store-context';
import { ROUTES } from '../store/routes';
import { NavIcon } from './icons';

/**
 * Main navigation: real links (`#/route`), so Tab reaches every item and Enter follows it;
 * Alt+1…6 jump directly (announced through aria-keyshortcuts).
 */
export function NavBar() {
  const { t } = useTranslation();
  const route = useAppStore((s) => s.route);
  const routeReentered = useAppStore((s) => s.routeReentered);
  return (
    <nav className="nav-bar" aria-label={t('nav.label')}>
      <ul>
        {ROUTES.map((r, i) => (
          <li key={r}>
            <a
              href={`#/${r}`}
              className="nav-link"
              aria-current={route === r ? 'page' : undefined}
              aria-keyshortcuts={`Alt+${i + 1}`}
              data-route={r}
              onClick={() => {
                if (route === r) routeReentered(r);
              }}
            >
              <NavIcon route={r} />
              <span>{t(`nav.${r}`)}</span>
              <kbd className="nav-shortcut" aria-hidden="true">
                Alt {i + 1}
              </kbd>
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
