import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../store/store-context';

/** Report activity to the core at most this often (it restarts the idle countdown). */
const ACTIVITY_EVERY_MS = 15_000;
/** Ask the core for the vault state this often while unlocked (token pulled, idle lock). */
const POLL_EVERY_MS = 2_000;

/**
 * The Lock button and the idle countdown. The core owns the timer (it locks even if this
 * page is frozen); the page reports activity and shows the time left.
 */
export function LockControl() {
  const { t } = useTranslation();
  const vault = useAppStore((s) => s.vault);
  const lockRequested = useAppStore((s) => s.lockRequested);
  const activitySeen = useAppStore((s) => s.activitySeen);
  const vaultStatusRequested = useAppStore((s) => s.vaultStatusRequested);
  const [now, setNow] = useState(() => Date.now());
  const lastReport = useRef(0);
  const statusAt = useRef(Date.now());
  const unlocked = vault?.state === 'unlocked';

  useEffect(() => {
    statusAt.current = Date.now();
  }, [vault]);

  useEffect(() => {
    if (!unlocked) return;
    const tick = setInterval(() => setNow(Date.now()), 1000);
    const poll = setInterval(() => void vaultStatusRequested(), POLL_EVERY_MS);
    const onActivity = () => {
      if (Date.now() - lastReport.current < ACTIVITY_EVERY_MS) return;
      lastReport.current = Date.now();
      void activitySeen();
    };
    window.addEventListener('keydown', onActivity);
    window.addEventListener('pointerdown', onActivity);
    return () => {
      clearInterval(tick);
      clearInterval(poll);
      window.removeEventListener('keydown', onActivity);
      window.removeEventListener('pointerdown', onActivity);
    };
  }, [unlocked, activitySeen, vaultStatusRequested]);

  if (!unlocked) return null;
  const left = Math.max(0, (vault.secondsUntilAutoLock ?? 0) - (now - statusAt.current) / 1000);
  const minutes = Math.floor(left / 60);
  const seconds = Math.floor(left % 60);
  return (
    <div className="lock-control">
      <span className="idle-countdown" title={t('vault.idleHint')} data-testid="idle-countdown">
        {t('vault.autoLockIn', { time: `${minutes}:${String(seconds).padStart(2, '0')}` })}
      </span>
      <button
        type="button"
        className="button button-on-brand"
        onClick={() => void lockRequested()}
        data-testid="lock"
      >
        {t('vault.lock')}
      </button>
    </div>
  );
}
