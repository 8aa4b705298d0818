import { describe, expect, it } from 'vitest';
import { escapeLeaves, type EscapeEvent } from './escape-leaves';

/** Just enough of an element for the rule: its id, closest('dialog'), containment. */
function el(id: string, inDialog = false, children: readonly object[] = []): Element {
  const node = {
    id,
    closest: (sel: string) => (sel === 'dialog' && inDialog ? {} : null),
    contains: (other: unknown): boolean => other === node || children.includes(other as object),
  };
  return node as unknown as Element;
}

const body = el('body');
const field = el('q');
const inView = el('subject');
const inViewDialog = el('pin', true);
const main = el('main');
const view = el('view', false, [inView, inViewDialog]);
const doc = (dialogOpen = false) => ({
  body: body as unknown as HTMLElement,
  querySelector: (sel: string) => (dialogOpen && sel === 'dialog[open]' ? ({} as Element) : null),
});
const key = (over: Partial<EscapeEvent> = {}): EscapeEvent => ({
  key: 'Escape',
  defaultPrevented: false,
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  target: inView,
  ...over,
});

describe('escapeLeaves', () => {
  it('leaves on a bare Escape in the view, on the page body and on the main area', () => {
    expect(escapeLeaves(key(), view, doc())).toBe(true);
    expect(escapeLeaves(key({ target: body }), view, doc())).toBe(true);
    expect(escapeLeaves(key({ target: main }), view, doc())).toBe(true);
  });

  it('stays while a dialog is open or when the key came from a dialog (the dialog closes first)', () => {
    expect(escapeLeaves(key(), view, doc(true))).toBe(false);
    expect(escapeLeaves(key({ target: inViewDialog }), view, doc())).toBe(false);
  });

  it('stays for other keys, modified Escapes, handled Escapes and fields outside the view', () => {
    expect(escapeLeaves(key({ key: 'Enter' }), view, doc())).toBe(false);
    expect(escapeLeaves(key({ shiftKey: true }), view, doc())).toBe(false);
    expect(escapeLeaves(key({ defaultPrevented: true }), view, doc())).toBe(false);
    expect(escapeLeaves(key({ target: field }), view, doc())).toBe(false);
    expect(escapeLeaves(key(), null, doc())).toBe(false);
  });
});
