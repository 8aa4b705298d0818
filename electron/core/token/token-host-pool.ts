import { startTokenHost, type TokenClient, type TokenHostOptions } from './token-client';

/**
 * One token process per PKCS#11 module for the whole core: the vault's key binding and
 * signing share it, so only one process ever calls C_Initialize / C_Finalize on a module
 * (real drivers dislike two). Consumers acquire a lease; its `close()` releases the lease,
 * and the process ends when the last lease is released (or when the pool closes).
 */
export interface TokenHostPool {
  acquire(modulePath: string): Promise<TokenClient>;
  close(): Promise<void>;
}

export function createTokenHostPool(
  options: Omit<TokenHostOptions, 'modulePath'> = {},
  start: (options: TokenHostOptions) => Promise<TokenClient> = startTokenHost,
): TokenHostPool {
  const hosts = new Map<string, { client: Promise<TokenClient>; leases: number }>();

  const release = async (modulePath: string, entry: { client: Promise<TokenClient>; leases: number }) => {
    entry.leases--;
    if (entry.leases > 0 || hosts.get(modulePath) !== entry) return;
    hosts.delete(modulePath);
    await (await entry.client.catch(() => undefined))?.close();
  };

  return {
    async acquire(modulePath) {
      let entry = hosts.get(modulePath);
      if (!entry) {
        entry = { client: start({ ...options, modulePath }), leases: 0 };
        const created = entry;
        hosts.set(modulePath, created);
        // A host that failed to start is forgotten, so the next acquire tries again.
        created.client.catch(() => {
          if (hosts.get(modulePath) === created) hosts.delete(modulePath);
        });
      }
      entry.leases++;
      const lease = entry;
      let released = false;
      const client = await lease.client.catch((e: unknown) => {
        lease.leases--;
        throw e;
      });
      return new Proxy(client, {
        get(target, property, receiver) {
          if (property !== 'close') return Reflect.get(target, property, receiver) as unknown;
          return async () => {
            if (released) return;
            released = true;
            await release(modulePath, lease);
          };
        },
      });
    },
    async close() {
      const all = [...hosts.values()];
      hosts.clear();
      await Promise.all(all.map(async (e) => (await e.client.catch(() => undefined))?.close()));
    },
  };
}
