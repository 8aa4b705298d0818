/** PATCH sizes: the first before the link is measured, and the least after. */
export const FIRST_PATCH = 256 * 1024;
export const MIN_PATCH = 64 * 1024;

/**
 * The size of the next upload PATCH, from what the link carried lately. One per relay client,
 * shared by its devices (they share the link). Its state is the last rate measured.
 */
export class UploadPacer {
  /** Bytes per ms the last PATCH big enough to tell carried, request to answer. */
  private readonly state: { rate: number | undefined } = { rate: undefined };

  constructor(
    private readonly chunkBytes: number,
    private readonly timeoutMs: number,
  ) {}

  /**
   * The next PATCH's size: what the link carried lately in a third of the timeout, within
   * [64 KiB, chunkBytes]; 256 KiB before anything was measured. A request waits for its answer
   * until the whole chunk has crossed (and any queue on the way), so a chunk bigger than the
   * link carries in the timeout ends in E_TIMEOUT however well it moves — 4 MiB take 131 s at
   * 256 kbit/s, past the relay's own 120 s request limit too.
   */
  patchBytes(): number {
    const { rate } = this.state;
    if (rate === undefined) return Math.min(this.chunkBytes, FIRST_PATCH);
    const fits = Math.floor((rate * this.timeoutMs) / 3);
    return Math.max(Math.min(MIN_PATCH, this.chunkBytes), Math.min(this.chunkBytes, fits));
  }

  /** A PATCH of `bytes` took `ms` from request to answer (too small ones tell nothing). */
  noteUpload(bytes: number, ms: number): void {
    if (bytes >= MIN_PATCH) this.state.rate = bytes / Math.max(1, ms);
  }
}
