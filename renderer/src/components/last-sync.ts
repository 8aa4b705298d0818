import { relativeTime } from '../screens/sync/sync-format';

/**
 * "Last sync" in the status bar. Online, relative ("2 minutes ago"); offline or reconnecting,
 * the clock time it happened (and its date when not today), so an offline workstation never
 * reads "Last sync: now" beside "Offline", which suggests data fresher than it is.
 */
export function lastSyncText(
  at: number,
  now: number,
  connection: 'offline' | 'connecting' | 'online' | 'syncing',
  language: string,
): string {
  if (connection === 'online' || connection === 'syncing') return relativeTime(at, now, language);
  const locale = language === 'vi' ? 'vi-VN' : 'en-GB';
  const sameDay = new Date(at).toDateString() === new Date(now).toDateString();
  return new Intl.DateTimeFormat(locale, {
    ...(sameDay ? {} : { dateStyle: 'medium' }),
    timeStyle: 'short',
  }).format(new Date(at));
}
