import { resolve } from 'node:path';
import { defineCommand, EXIT, JSON_OPTION, UsageError } from '../../../shared/cli/cli-command';
import {
  ReleaseChannel,
  releaseManifestName,
  AppVersion,
  MissionId,
} from '../../../shared/it/release-manifest';
import { UtcTime } from '../../../shared/it/it-document';
import { itSodium } from '../../core/it-signing';
import { writeFileAtomic } from '../../core/signing';
import { buildReleaseManifest } from '../../core/updates';

/**
 * `embassy it release`: the unsigned release manifest for electron-builder's output folder
 * (docs/protocols/release-manifest-v1.md), written beside its `latest*.yml` as
 * `embassy-release-CHANNEL.json`. Each holder of a release key then runs `embassy it sign` on it;
 * the folder, copied as it is to the relay's update folder or a USB stick, is the release.
 */
export const itReleaseCommand = defineCommand({
  name: 'it release',
  summary: "write the release manifest for electron-builder's output folder, to be signed",
  usage:
    'embassy it release DIR --channel NAME --manifest-version N [--rollout PERCENT] [--mission ID=VERSION]... [--expires TIME] [--json]',
  options: {
    channel: { type: 'string', arg: 'NAME', help: "the policy's update channel (for example stable)" },
    'manifest-version': {
      type: 'string',
      arg: 'N',
      help: 'the manifest version: above every manifest of this channel before',
    },
    rollout: {
      type: 'string',
      arg: 'PERCENT',
      default: '100',
      help: 'share of workstations offered it, 0–100',
    },
    mission: {
      type: 'string',
      multiple: true,
      arg: 'ID=VERSION',
      help: "a mission's target version (it takes exactly that version)",
    },
    expires: { type: 'string', arg: 'TIME', help: 'YYYY-MM-DDTHH:MM:SSZ (default: in 30 days)' },
    json: JSON_OPTION,
  },
  positionals: { min: 1, max: 1 },
  notes: ['A new random rollout salt is drawn each time: a new manifest samples workstations anew.'],
  async run({ values, positionals }, io) {
    const dir = resolve(positionals[0] ?? '');
    const channel = ReleaseChannel.safeParse(values.channel);
    if (!channel.success) throw new UsageError('--channel NAME is required (a-z, 0-9, -)');
    const manifestVersion = Number(values['manifest-version']);
    if (!Number.isSafeInteger(manifestVersion) || manifestVersion < 1)
      throw new UsageError('--manifest-version N is required (an integer ≥ 1)');
    const percentage = Number(values.rollout);
    if (!Number.isInteger(percentage) || percentage < 0 || percentage > 100)
      throw new UsageError('--rollout is an integer from 0 to 100');
    const expires =
      values.expires ?? new Date(Date.now() + 30 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    if (!UtcTime.safeParse(expires).success) throw new UsageError('--expires is YYYY-MM-DDTHH:MM:SSZ');
    const missions: Record<string, string> = {};
    for (const m of values.mission ?? []) {
      const [id = '', version = ''] = m.split('=');
      if (!MissionId.safeParse(id).success || !AppVersion.safeParse(version).success)
        throw new UsageError(`--mission '${m}' is not ID=MAJOR.MINOR.PATCH`);
      missions[id] = version;
    }
    const s = await itSodium();
    let payload;
    try {
      payload = await buildReleaseManifest({
        dir,
        channel: channel.data,
        manifestVersion,
        expires,
        rolloutPercentage: percentage,
        salt: s.to_hex(s.randombytes_buf(16)),
        missions,
      });
    } catch (e) {
      throw new UsageError(`${dir}: ${(e as Error).message}`);
    }
    const out = resolve(dir, releaseManifestName(channel.data));
    await writeFileAtomic(
      out,
      Buffer.from(`${JSON.stringify({ signed: payload, signatures: [] }, null, 2)}\n`),
    );
    io.stdout(
      values.json
        ? `${JSON.stringify({ ok: true, file: out, appVersion: payload.appVersion, files: payload.files.length })}\n`
        : `${out}: ${payload.appVersion} on ${channel.data}, ${payload.files.length} file(s); now sign it with embassy it sign\n`,
    );
    return EXIT.ok;
  },
});
