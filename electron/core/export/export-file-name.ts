/** Characters no file name keeps: control characters and those Windows refuses. */
const refused = (c: string): boolean =>
  c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f || '<>:"|?*'.includes(c);

/**
 * An attachment's name as a file name to suggest in a save dialog or a download: its last path
 * segment only, without control characters or characters Windows refuses, never empty or a dot
 * name. The name came from a document (possibly received from elsewhere): it must not choose a
 * folder.
 */
export function exportFileName(name: string): string {
  const last = name.split(/[\\/]/).pop() ?? '';
  const clean = [...last]
    .map((c) => (refused(c) ? '_' : c))
    .join('')
    .trim()
    .replace(/^\.+/, '');
  return (clean || 'attachment').slice(0, 255);
}
