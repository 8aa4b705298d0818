import type { IncomingMessage } from 'node:http';
import type { Server } from 'node:https';
import type { Socket } from 'node:net';
import { RelayErrorCode } from '../../shared/sync/relay-protocol';
import { RelayError } from './relay-error';
import type { RelayLimits } from './relay-limits';
import { RateLimiter } from './rate-limiter';

/** The address a request came from, as the socket says (the relay sits at the edge: no proxy headers are trusted). */
export function sourceAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

function rateLimited(waitMs: number, what: string): RelayError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new RelayError(429, RelayErrorCode.RateLimited, `too many ${what}; retry in ${seconds} s`, {
    'retry-after': String(seconds),
  });
}

/**
 * What keeps one caller from crowding out the others: request budgets per source address and
 * per device on the unauthenticated routes (enrolment, challenges, time-stamps), and connection caps overall
 * and per address. Every limit comes from {@link RelayLimits}; refusals are 429 with
 * `Retry-After` (requests) or an immediate close (connections beyond the cap).
 */
export class AbuseGuards {
  private readonly enrolByAddress: RateLimiter;
  private readonly enrolByDevice: RateLimiter;
  private readonly challengeByAddress: RateLimiter;
  private readonly challengeByDevice: RateLimiter;
  private readonly tsaByAddress: RateLimiter;
  private readonly connections = new Map<string, number>();
  private openConnections = 0;
  /** Connections closed at once because a cap was reached (for the log and the tests). */
  refusedConnections = 0;

  constructor(private readonly limits: RelayLimits) {
    this.enrolByAddress = new RateLimiter(limits.enrolPerAddress, limits.maxRateKeys);
    this.enrolByDevice = new RateLimiter(limits.enrolPerDevice, limits.maxRateKeys);
    this.challengeByAddress = new RateLimiter(limits.challengePerAddress, limits.maxRateKeys);
    this.challengeByDevice = new RateLimiter(limits.challengePerDevice, limits.maxRateKeys);
    this.tsaByAddress = new RateLimiter(limits.tsaPerAddress, limits.maxRateKeys);
  }

  /** Before a time-stamp request is read (no session: each one costs a signature). */
  timestamp(req: IncomingMessage): void {
    const wait = this.tsaByAddress.take(sourceAddress(req));
    if (wait > 0) throw rateLimited(wait, 'time-stamp requests from this address');
  }

  /** Before an enrolment is read: the source address's budget. */
  enrolment(req: IncomingMessage): void {
    const wait = this.enrolByAddress.take(sourceAddress(req));
    if (wait > 0) throw rateLimited(wait, 'enrolment requests from this address');
  }

  /**
   * Once the request is read, before its certificate chain is checked (the costly part): the
   * device's budget from this address, so one device key cannot be enrolled over and over.
   */
  enrolmentOf(req: IncomingMessage, deviceId: string): void {
    const wait = this.enrolByDevice.take(`${deviceId} ${sourceAddress(req)}`);
    if (wait > 0) throw rateLimited(wait, 'enrolment requests for this device');
  }

  /**
   * Before a challenge is issued: the address's budget, then the device's from that address.
   * The device budget is kept per address too, so that a flood naming a device from elsewhere
   * cannot use up the budget the device itself needs to log in.
   */
  challenge(req: IncomingMessage, deviceId: string): void {
    const address = sourceAddress(req);
    let wait = this.challengeByAddress.take(address);
    if (wait > 0) throw rateLimited(wait, 'challenge requests from this address');
    wait = this.challengeByDevice.take(`${deviceId} ${address}`);
    if (wait > 0) throw rateLimited(wait, 'challenge requests for this device');
  }

  /** Counts the server's TCP connections and closes those beyond the caps at once. */
  attach(server: Server): void {
    server.on('connection', (socket: Socket) => {
      const address = socket.remoteAddress ?? 'unknown';
      const mine = this.connections.get(address) ?? 0;
      if (
        this.openConnections >= this.limits.maxConnections ||
        mine >= this.limits.maxConnectionsPerAddress
      ) {
        this.refusedConnections++;
        socket.destroy();
        return;
      }
      this.openConnections++;
      this.connections.set(address, mine + 1);
      socket.once('close', () => {
        this.openConnections--;
        const left = (this.connections.get(address) ?? 1) - 1;
        if (left <= 0) this.connections.delete(address);
        else this.connections.set(address, left);
      });
    });
  }
}
