import type { Classification } from '../../../../shared/domain/classification';
import type { Slice } from '../slice';

/**
 * The markings of what components show outside the store's lists (a dialog about one document,
 * the Sign screen's candidates, a text attachment): each mounted view declares the marking of
 * what it shows under its own key while it shows it, and withdraws it when it goes. The
 * banner reads these with the store's own lists (`screen-marking.ts`).
 */
export interface MarkingsSlice {
  shownMarkings: Readonly<Record<string, Classification>>;
  markingShown(key: string, marking: Classification): void;
  markingHidden(key: string): void;
}

export const markingsSlice: Slice<MarkingsSlice> = (set, get) => ({
  shownMarkings: {},
  markingShown(key, marking) {
    if (get().shownMarkings[key] === marking) return;
    set({ shownMarkings: { ...get().shownMarkings, [key]: marking } });
  },
  markingHidden(key) {
    if (!(key in get().shownMarkings)) return;
    set({
      shownMarkings: Object.fromEntries(Object.entries(get().shownMarkings).filter(([k]) => k !== key)),
    });
  },
});
