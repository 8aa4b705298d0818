import type { CliCommand } from '../../../shared/cli/cli-command';
import { HQ_COMMANDS } from '../../../hq/cli';
import { certVerifyCommand } from './cert-verify';
import { contactShowCommand, contactVerifyCommand } from './contact';
import { healthCommand } from './health';
import { IT_COMMANDS } from './it';
import { policyImportCommand, policyShowCommand } from './policy';
import { signCommand } from './sign';
import { directoryCommand, enrollCommand, inboxCommand, sendCommand, syncCommand } from './sync';
import { vaultAddCommand } from './vault-add';
import { vaultInitCommand } from './vault-init';
import { vaultSearchCommand } from './vault-search';
import { vaultWipeCommand } from './vault-wipe';
import { verifyCommand } from './verify';

/**
 * Every `embassy` command: the workstation's, then the relay's admin commands from hq/cli.
 * Add a command: one file in this folder, one line here.
 */
export const COMMANDS: readonly CliCommand[] = [
  healthCommand,
  vaultInitCommand,
  vaultAddCommand,
  vaultSearchCommand,
  vaultWipeCommand,
  signCommand,
  verifyCommand,
  certVerifyCommand,
  policyImportCommand,
  policyShowCommand,
  ...IT_COMMANDS,
  ...HQ_COMMANDS,
  enrollCommand,
  directoryCommand,
  sendCommand,
  syncCommand,
  inboxCommand,
  contactShowCommand,
  contactVerifyCommand,
];
