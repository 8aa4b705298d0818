/** Workstation settings that are not secret (stored unencrypted in the profile). */
export { createSettingsStore, type SettingsStore } from './settings-store';
