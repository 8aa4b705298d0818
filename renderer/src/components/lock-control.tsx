import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../store/store-context';
import { createInputReporter } from './input-reporter';

/** Report officer input to the core at most this often (it restarts the idle countdown). */
const ACTIVITY_EVERY_MS = 5_000;
/** Ask the core for the vault state this often while unlocked (token pulled, idle lock). */
const POLL_EVERY_MS = 2_000;
/** What counts as the officer at the desk. Only these: the page's own calls never do. */
const INPUT_EVENTS = ['keydown', 'pointerdown', 'pointermove', 'wheel'] as const;

/**
 * The Lock button and the idle countdown. The core owns the timer (it locks even if this
 * page is frozen); the page reports officer input (`vault.touch`, from trusted input events
 * only: a script's synthetic event is not an officer) and shows the time left. Its own
 * background calls (status polls, sync status, lists) never postpone the lock.
 */
export function LockControl() {
  const { t } = useTranslation();
  const vault = useAppStore((s) => s.vault);
  const lockRequested = useAppStore((s) => s.lockRequested);
  const activitySeen = useAppStore((s) => s.activitySeen);
  const vaultStatusRequested = useAppStore((s) => s.vaultStatusRequested);
  const [now, setNow] = useState(() => Date.now());
  const statusAt = useRef(Date.now());
  const unlocked = vault?.state === 'unlocked';

  useEffect(() => {
    statusAt.current = Date.now();
  }, [vault]);

  useEffect(() => {
    if (!unlocked) return;
    const tick = setInterval(() => setNow(Date.now()), 1000);
    const poll = setInterval(() => void vaultStatusRequested(), POLL_EVERY_MS);
    const reporter = createInputReporter(() => void activitySeen(), ACTIVITY_EVERY_MS);
    const onInput = (event: Event) => {
      if (event.isTrusted) reporter.input();
    };
    const listen = { capture: true, passive: true };
    for (const name of INPUT_EVENTS) window.addEventListener(name, onInput, listen);
    return () => {
      clearInterval(tick);
      clearInterval(poll);
      reporter.dispose();
      for (const name of INPUT_EVENTS) window.removeEventListener(name, onInput, listen);
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
