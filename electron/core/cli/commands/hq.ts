import { EXIT, type CliCommand } from '../cli-command';

/** `embassy hq`: the relay's admin commands, listed (each is its own command). */
export const hqCommand: CliCommand = {
  name: 'hq',
  summary: 'the headquarters relay: serve, list, approve and revoke devices',
  usage: 'embassy hq (serve|devices|approve|revoke) --data DIR ...',
  options: {},
  async run(_args, io) {
    io.stdout(`embassy hq — the headquarters relay (store-and-forward of ciphertext)

  embassy hq serve --data DIR --listen 127.0.0.1:PORT [--trust-ca FILE]... [--json]
                                                                run the relay; prints its fingerprint
  embassy hq devices --data DIR [--json]                        list enrolled devices
  embassy hq approve --data DIR DEVICE                          approve a pending device
  embassy hq revoke --data DIR DEVICE                           revoke a device (final)
`);
    return EXIT.ok;
  },
};
