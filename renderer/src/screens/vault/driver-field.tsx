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

  useEffect(() => {
    let live = true;
    void client.call('token.drivers', {}).then((r) => {
      if (live) setDrivers(r.ok ? r.value.drivers.filter((d) => d.installed) : []);
    });
    return () => {
      live = false;
    };
  }, [client]);

  // The first installed driver is the default (the data file lists them by preference).
  useEffect(() => {
    const first = drivers?.[0];
    if (first && !drivers.some((d) => d.id === value)) onChange(first.id);
  }, [drivers, value, onChange]);

  if (drivers === null) return <p className="muted">{t('vault.firstRun.lookingForDrivers')}</p>;
  if (drivers.length === 0) {
    return (
      <p className="callout callout-warn" role="alert" data-testid="no-driver">
        {t('vault.firstRun.noDriver')}
      </p>
    );
  }
  return (
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
  );
}
