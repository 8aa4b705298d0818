/** The languages a visible stamp is written in: the interface's. */
export type StampLanguage = 'vi' | 'en';

const LABELS: Readonly<
  Record<StampLanguage, { by: string; time: string; reason: string; location: string }>
> = {
  en: { by: 'Signed by', time: 'Time', reason: 'Reason', location: 'Location' },
  vi: { by: 'Người ký', time: 'Thời gian', reason: 'Lý do', location: 'Nơi ký' },
};

/**
 * The lines of a visible signature stamp in the officer's language, the reason and place as
 * typed (their diacritics kept: the stamp is drawn in an embedded font). The time is UTC in
 * ISO form in both languages, so it reads the same wherever the PDF is opened.
 */
export function stampLines(
  opts: { name: string; signingTime: Date; reason?: string; location?: string },
  language: StampLanguage = 'en',
): string[] {
  const l = LABELS[language];
  return [
    `${l.by}: ${opts.name}`,
    `${l.time}: ${opts.signingTime.toISOString().replace('T', ' ').slice(0, 19)} UTC`,
    ...(opts.reason ? [`${l.reason}: ${opts.reason}`] : []),
    ...(opts.location ? [`${l.location}: ${opts.location}`] : []),
  ];
}
