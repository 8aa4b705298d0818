import type { CliCommand } from '../cli-command';
import { healthCommand } from './health';
import { hqCommand } from './hq';
import { hqApproveCommand } from './hq-approve';
import { hqDevicesCommand } from './hq-devices';
import { hqRevokeCommand } from './hq-revoke';
import { hqServeCommand } from './hq-serve';
import { vaultAddCommand } from './vault-add';
import { vaultInitCommand } from './vault-init';
import { vaultSearchCommand } from './vault-search';
import { vaultWipeCommand } from './vault-wipe';

import { signCommand } from './sign';
import { verifyCommand } from './verify';
import { directoryCommand, enrollCommand, inboxCommand, sendCommand, syncCommand } from './sync';

/** Every `embassy` command. Add a command: one file in this folder, one line here. */
export const COMMANDS: readonly CliCommand[] = [
  healthCommand,
  vaultInitCommand,
  vaultAddCommand,
  vaultSearchCommand,
  vaultWipeCommand,
  signCommand,
  verifyCommand,
  hqCommand,
  hqServeCommand,
  hqDevicesCommand,
  hqApproveCommand,
  hqRevokeCommand,
  enrollCommand,
  directoryCommand,
  sendCommand,
  syncCommand,
  inboxCommand,
];
