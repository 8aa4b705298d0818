/**
 * Where the browser preview delivers an export the core recorded (`outcome: 'deliver'`): a
 * download of the bytes from memory (a blob URL, revoked soon after), or the browser's print of
 * the pages. In Electron a save never comes here (main's dialog and the core write the file);
 * print does: `window.print()` is the window's `webContents.print()`.
 */
export function downloadBytes(bytes: Uint8Array, fileName: string, mediaType: string): void {
  const url = URL.createObjectURL(
    new Blob([bytes as BlobPart], { type: mediaType || 'application/octet-stream' }),
  );
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Prints what `fill` puts in a print-only container (the app's own print stylesheet hides
 * everything else), then removes it: nothing printed stays in the page.
 */
export async function printContent(fill: (root: HTMLElement) => Promise<void>): Promise<void> {
  const root = document.createElement('div');
  root.id = 'print-root';
  root.setAttribute('aria-hidden', 'true');
  document.body.append(root);
  try {
    await fill(root);
    document.body.classList.add('is-printing');
    window.print();
  } finally {
    document.body.classList.remove('is-printing');
    root.remove();
  }
}

/** A text attachment, printed as preformatted text. */
export function printText(text: string): Promise<void> {
  return printContent(async (root) => {
    const pre = document.createElement('pre');
    pre.textContent = text;
    root.append(pre);
  });
}

/** A PDF, every page rendered by pdf.js (from memory) onto canvases, then printed. */
export function printPdf(bytes: Uint8Array): Promise<void> {
  return printContent(async (root) => {
    const { renderPdfPages } = await import('../../components/pdf-pages');
    await renderPdfPages(bytes, root);
  });
}
