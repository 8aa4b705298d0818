import type { Slice } from '../slice';

/** Which guide is open: contextual help (F1) or the short tour; never both. */
export type GuideOpen = 'help' | 'tour' | null;

export interface GuideSlice {
  guide: GuideOpen;
  helpRequested(): void;
  tourRequested(): void;
  guideClosed(): void;
}

export const guideSlice: Slice<GuideSlice> = (set) => ({
  guide: null,
  helpRequested: () => set({ guide: 'help' }),
  tourRequested: () => set({ guide: 'tour' }),
  guideClosed: () => set({ guide: null }),
});
