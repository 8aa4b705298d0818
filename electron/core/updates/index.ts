/** Signed updates through electron-updater (docs/protocols/release-manifest-v1.md). */
export {
  createSignedUpdates,
  type SignedUpdates,
  type SignedUpdatesOptions,
  type UpdateSource,
} from './signed-updates';
export { serveUpdateFolder, type FolderMirror } from './folder-mirror';
export { verifyRelease, judgeRelease } from './release-check';
export { inRollout, rolloutPosition } from './rollout';
export { UpdateError, type UpdateRefusal } from './update-errors';
export { NodeUpdateHttpExecutor } from './node-http-executor';
export { buildReleaseManifest } from './release-build';
export { createUpdateHandlers } from './update-handlers';
export { missionOf } from './mission';
