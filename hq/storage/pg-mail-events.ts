import type pg from 'pg';
import { openPgClient } from './pg-pool';
import { MAIL_CHANNEL } from './pg-relay-store';

/** Someone's mailbox grew: mail up to `cursor` waits for `recipient`. */
export type MailListener = (recipient: string, cursor: number) => void;

const RECIPIENT = /^[0-9a-f]{32}$/;
const RECONNECT_MS = 1000;

/**
 * Wake-ups across relay instances: one connection per instance LISTENs on the channel the
 * PostgreSQL store NOTIFYs at every completion (in the completing transaction, so a wake-up
 * never precedes the commit). A lost connection is reopened every second; wake-ups sent
 * meanwhile are lost, which costs latency only: devices also poll their inbox.
 */
export class PgMailEvents {
  private client: pg.Client | undefined;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  /** Resolves once the first LISTEN is in place. */
  readonly ready: Promise<void>;

  constructor(
    private readonly url: string,
    private readonly listener: MailListener,
    private readonly log: (line: string) => void,
  ) {
    this.ready = this.connect();
  }

  private async connect(): Promise<void> {
    const client = openPgClient(this.url);
    client.on('notification', (n) => {
      if (n.channel !== MAIL_CHANNEL || n.payload === undefined) return;
      // The payload comes from our own store; checked anyway, as any input at a boundary.
      const [recipient, cursor] = n.payload.split(':');
      if (recipient === undefined || !RECIPIENT.test(recipient) || !/^\d{1,15}$/.test(cursor ?? '')) return;
      this.listener(recipient, Number(cursor));
    });
    client.on('error', () => this.retry(client));
    client.on('end', () => this.retry(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${MAIL_CHANNEL}`);
      this.client = client;
      if (this.closed) await client.end();
    } catch (e) {
      this.retry(client);
      if (this.client === undefined && !this.closed) throw e;
    }
  }

  private retry(client: pg.Client): void {
    if (this.closed || this.timer !== undefined) return;
    if (this.client === client) this.client = undefined;
    client.end().catch(() => undefined);
    this.log('push: lost the database notification channel; reconnecting');
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.connect().catch(() => undefined);
    }, RECONNECT_MS);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }
}
