import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store/store-context';
import { TourOffer } from '../../components/guide/tour-offer';
import { FirstRunScreen } from './first-run-screen';
import { UnlockScreen } from './unlock-screen';

/** Content that lives in the vault is shown only when it is unlocked; else first run or unlock. */
export function VaultGate({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const vault = useAppStore((s) => s.vault);
  const onboarding = useAppStore((s) => s.onboarding);
  if (!vault) return <p className="muted">{t('status.checking')}</p>;
  // One tree for both cases, so the wizard keeps its step when the vault appears mid-way.
  if (vault.state === 'absent' || (onboarding && vault.state === 'unlocked'))
    return (
      <>
        {vault.state === 'absent' && <TourOffer />}
        <FirstRunScreen />
      </>
    );
  if (vault.state === 'locked') return <UnlockScreen />;
  return <>{children}</>;
}
