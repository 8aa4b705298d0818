import type { CliCommand } from '../../shared/cli/cli-command';
import { hqAuditKeygenCommand, hqAuditVerifyCommand } from './hq-audit';
import { hqApproveCommand, hqRevokeCommand } from './hq-device-status';
import { hqDevicesCommand } from './hq-devices';
import { hqOverviewCommand } from './hq-overview';
import { hqMigrateCommand } from './hq-migrate';
import { hqPolicyPublishCommand } from './hq-policy';
import { hqServeCommand } from './hq-serve';

const ADMIN_COMMANDS: readonly CliCommand[] = [
  hqServeCommand,
  hqDevicesCommand,
  hqApproveCommand,
  hqRevokeCommand,
  hqMigrateCommand,
  hqPolicyPublishCommand,
  hqAuditKeygenCommand,
  hqAuditVerifyCommand,
];

/**
 * The relay's admin commands (`embassy hq …`), which the `embassy` tool composes with the
 * workstation's own. Add a command: one file in this folder, one line above.
 */
export const HQ_COMMANDS: readonly CliCommand[] = [hqOverviewCommand(ADMIN_COMMANDS), ...ADMIN_COMMANDS];
