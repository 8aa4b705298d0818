/** Checks of the caller's values that go into a request path or query (a caller's bug: TypeError). */

export function checkCount(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new TypeError(`${what} is a non-negative integer`);
  return n;
}

export function checkItemId(id: string): void {
  if (!/^[0-9a-f]{32}$/.test(id)) throw new TypeError('an item id is 32 lowercase hex characters');
}
