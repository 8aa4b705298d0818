import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CallOutput } from '../../../../shared/contract';
import { SelectField } from '../../components/field';
import { useEmbassyClient } from '../../store/store-context';

type Driver = CallOutput<'token.drivers'>['drivers'][number];

/**
 * The token drivers installed on this computer, by name in the interface's language. The
 * officer picks one by its id from `resources/pkcs11-modules.json`; the interface never names
 * a library file (the core would refuse one from here).
 */
export function DriverField({ value, onChange }: { value: string; onChange: (id: string) => void }) {
  const { t, i18n } = useTranslation();
  const client = useEmbassyClient();
  const [drivers, setDrivers] = useState<readonly Driver[] | null>(null);
  // Asked again on "Look again" (a driver installed while this screen was open).
  const [asked, setAsked] = useState(0);

  useEffect(() => {
    let live = true;
    void client.call('token.drivers', {}).then((r) => {
      if (live) setDrivers(r.ok ? r.value.drivers.filter((d) => d.installed) : []);
    });
    return () => {
      live = false;
    };
  }, [client, asked]);
  const again = (
    <button
      type="button"
      className="link-button"
      onClick={() => setAsked((n) => n + 1)}
      data-testid="drivers-again"
    >
      {t('vault.firstRun.driversAgain')}
    </button>
  );

  // The first installed driver is the default (the data file lists them by preference).
  useEffect(() => {
    const first = drivers?.[0];
    if (first && !drivers.some((d) => d.id === value)) onChange(first.id);
  }, [drivers, value, onChange]);

  if (drivers === null) return <p className="muted">{t('vault.firstRun.lookingForDrivers')}</p>;
  if (drivers.length === 0) {
    return (
      <div className="callout callout-warn" role="alert" data-testid="no-driver">
        <p>{t('vault.firstRun.noDriver')}</p>
        {again}
      </div>
    );
  }
  return (
    <div className="field-with-action">
      <SelectField
        label={t('vault.firstRun.module')}
        hint={t('vault.firstRun.moduleHint')}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        data-testid="driver"
      >
        {drivers.map((d) => (
          <option key={d.id} value={d.id}>
            {i18n.language === 'vi' ? d.nameVi : d.name}
          </option>
        ))}
      </SelectField>
      {again}
    </div>
  );
}
