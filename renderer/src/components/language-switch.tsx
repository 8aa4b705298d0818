import { useTranslation } from 'react-i18next';
import { LANGUAGES, type Language } from '../../../shared/domain/language';
import { useAppStore } from '../store/store-context';

/** Radio group for the interface language; arrow keys move between options natively. */
export function LanguageSwitch({ id }: { id: string }) {
  const { t } = useTranslation();
  const language = useAppStore((s) => s.language);
  const languageChosen = useAppStore((s) => s.languageChosen);
  return (
    <fieldset className="language-switch">
      <legend className="visually-hidden">{t('app.language')}</legend>
      {LANGUAGES.map((lang: Language) => (
        <label key={lang} className={language === lang ? 'is-selected' : undefined}>
          <input
            type="radio"
            name={id}
            value={lang}
            checked={language === lang}
            onChange={() => void languageChosen(lang)}
            data-testid={`${id}-${lang}`}
          />
          <span lang={lang}>{t(`settings.${lang}`)}</span>
        </label>
      ))}
    </fieldset>
  );
}
