/** Where the officer's profile lives (the app, the CLI and the preview agree on it), and its modes. */
export { appDataDir, defaultProfileDir, PRODUCT_NAME } from './profile-dir';
export {
  ensurePrivateDir,
  ensurePrivateDirSync,
  makePrivateSync,
  PRIVATE_DIR_MODE,
  PRIVATE_FILE_MODE,
  PRIVATE_UMASK,
} from './private-files';
