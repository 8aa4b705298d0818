import { MissionId } from '../../../shared/it/release-manifest';

/**
 * The mission a workstation belongs to, for a release manifest's per-mission targets: the
 * department it enrolled under (the officer's mission or HQ department, as HQ approved it),
 * written in the manifest's alphabet: accents dropped (Vietnamese included: "đ" is "d"),
 * lower case, every other run of characters one hyphen. "Đại sứ quán Tokyo" is
 * `dai-su-quan-tokyo`. It only chooses among versions IT signed for that mission; it can
 * neither lower the version (no downgrade) nor reach a version IT did not sign.
 */
export function missionOf(department: string | undefined | null): string | null {
  if (!department) return null;
  const slug = department
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return MissionId.safeParse(slug).success ? slug : null;
}
