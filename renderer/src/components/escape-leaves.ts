/** What `escapeLeaves` reads of a key event: a plain object in tests, a KeyboardEvent in the page. */
export interface EscapeEvent {
  readonly key: string;
  readonly defaultPrevented: boolean;
  readonly altKey: boolean;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly shiftKey: boolean;
  readonly target: EventTarget | null;
}

/**
 * Whether this Escape leaves the view: a bare Escape nobody handled, with no modal dialog
 * open (the dialog closes first), pressed inside the view or on the page outside any field
 * (the body, the main area). A text field's Escape stays in it when pressed elsewhere, e.g. the
 * search box in the top bar closes its own list.
 */
export function escapeLeaves(
  e: EscapeEvent,
  view: Element | null,
  doc: Pick<Document, 'body' | 'querySelector'>,
): boolean {
  if (e.key !== 'Escape' || e.defaultPrevented) return false;
  if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return false;
  if (!view || doc.querySelector('dialog[open]')) return false;
  const target = e.target as Element | null;
  if (!target || target === doc.body) return true;
  if (typeof target.closest === 'function' && target.closest('dialog')) return false;
  if (view.contains(target)) return true;
  return target.id === 'main';
}
