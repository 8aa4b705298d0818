import i18next, { type i18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Language } from '../../../shared/domain/language';
import en from './locales/en.json';
import vi from './locales/vi.json';

/**
 * i18next with both languages bundled (no network loading: CSP forbids it and missions are
 * offline). Keys are the same in both files; a test checks that they match.
 */
export const resources = { vi: { translation: vi }, en: { translation: en } } as const;

export async function createI18n(language: Language): Promise<i18n> {
  const instance = i18next.createInstance();
  await instance.use(initReactI18next).init({
    resources,
    lng: language,
    fallbackLng: 'en',
    interpolation: { escapeValue: false }, // React escapes.
    returnNull: false,
  });
  return instance;
}
