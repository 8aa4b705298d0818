import type { CliCommand } from '../cli-command';
import { healthCommand } from './health';
import { signCommand } from './sign';
import { verifyCommand } from './verify';

/** Every `embassy` command. Add a command: one file in this folder, one line here. */
export const COMMANDS: readonly CliCommand[] = [healthCommand, signCommand, verifyCommand];
