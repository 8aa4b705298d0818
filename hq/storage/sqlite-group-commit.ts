import type Database from 'better-sqlite3-multiple-ciphers';

type Db = InstanceType<typeof Database>;

interface Queued {
  readonly work: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
}

/**
 * Group commit for the relay's SQLite file: write transactions asked for in the same turn of
 * the event loop run together in one `BEGIN IMMEDIATE … COMMIT`, each inside its own savepoint,
 * and every caller is answered only after that commit returned. With `synchronous = FULL` the
 * commit is the fsync that makes an upload durable, and better-sqlite3 waits for it on the event
 * loop: one fsync for the whole group instead of one per request is what lets one relay process
 * ingest thousands of envelopes a second without acknowledging anything that is not on disk.
 *
 * Each unit is atomic on its own (its savepoint rolls back when it throws, and only its caller
 * sees the error); units run in the order they were asked for, as they would one by one.
 */
export class GroupCommit {
  private queue: Queued[] = [];
  private scheduled = false;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly db: Db) {}

  /** Runs `work` (synchronous SQL) inside the next group's transaction; resolves after commit. */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        this.flushing = new Promise((done) =>
          setImmediate(() => {
            this.flush();
            done();
          }),
        );
      }
    });
  }

  /** Resolves once every unit asked for so far has been committed or refused. */
  async drained(): Promise<void> {
    while (this.scheduled) await this.flushing;
  }

  private flush(): void {
    const group = this.queue;
    this.queue = [];
    this.scheduled = false;
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      this.db
        .transaction(() => {
          for (const unit of group) {
            try {
              // A nested better-sqlite3 transaction is a savepoint: all of this unit or none.
              outcomes.push({ ok: true, value: this.db.transaction(unit.work)() });
            } catch (error) {
              outcomes.push({ ok: false, error });
            }
          }
        })
        .immediate();
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing of the group is stored.
      for (const unit of group) unit.reject(error);
      return;
    }
    group.forEach((unit, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) unit.resolve(outcome.value);
      else unit.reject(outcome?.error);
    });
  }
}
