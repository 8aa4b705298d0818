/** Where the officer's profile lives (the app, the CLI and the preview agree on it). */
export { appDataDir, defaultProfileDir, PRODUCT_NAME } from './profile-dir';
