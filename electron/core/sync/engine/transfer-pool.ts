/** Items larger than this are transferred one at a time (see {@link poolBySize}). */
export const BULK_ITEM_BYTES = 1024 * 1024;

/** Runs `fn` over `items`, at most `n` at a time. */
export async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

/**
 * `pool`, with large items apart: small ones `n` at a time, large ones one at a time beside
 * them. On a thin link, parallel bulk transfers add no throughput (they share the link), but
 * each keeps its own queue in the network, and every small request (a message, an inbox
 * listing, an acknowledgement) waits behind all of them.
 */
export async function poolBySize<T extends { size: number }>(
  items: readonly T[],
  n: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const large = items.filter((i) => i.size > BULK_ITEM_BYTES);
  const small = items.filter((i) => i.size <= BULK_ITEM_BYTES);
  await Promise.all([pool(small, n, fn), pool(large, 1, fn)]);
}
