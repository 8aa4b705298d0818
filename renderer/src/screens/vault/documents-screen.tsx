import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DocumentSummary } from '../../../../shared/contract/vault-calls';
import { CLASSIFICATIONS } from '../../../../shared/domain/classification';
import {
  DIRECTIONS,
  INCOMING_STATUSES,
  OUTGOING_STATUSES,
  statusesOf,
  type DocumentSortField,
} from '../../../../shared/domain/document';
import { DOCUMENT_KINDS } from '../../../../shared/domain/document-kinds';
import { SelectField } from '../../components/field';
import { VirtualGrid, type GridColumn } from '../../components/virtual-grid';
import { useAppStore } from '../../store/store-context';
import { senderName } from '../sync/sync-format';
import { AddDocumentDialog } from './add-document-dialog';
import { ArchivedNotice } from './archived-notice';
import { DocumentView } from './document-view';

/** The document register: filters, sortable columns, a virtualized list, and the open document. */
export function DocumentsScreen() {
  const { t, i18n } = useTranslation();
  const filters = useAppStore((s) => s.filters);
  const sort = useAppStore((s) => s.sort);
  const total = useAppStore((s) => s.documentTotal);
  const rows = useAppStore((s) => s.documentRows);
  const error = useAppStore((s) => s.documentsError);
  const generation = useAppStore((s) => s.documentsGeneration);
  const open = useAppStore((s) => s.openDocument);
  const filtersChanged = useAppStore((s) => s.filtersChanged);
  const sortChanged = useAppStore((s) => s.sortChanged);
  const rangeNeeded = useAppStore((s) => s.documentRangeNeeded);
  const documentOpened = useAppStore((s) => s.documentOpened);
  const sampleDataRequested = useAppStore((s) => s.sampleDataRequested);
  const busy = useAppStore((s) => s.vaultBusy);
  const unseenArrivals = useAppStore((s) => s.syncUnseenArrivals);
  const arrivalsSeen = useAppStore((s) => s.syncArrivalsSeen);
  const archivedNotice = useAppStore((s) => s.archivedNotice);
  const [adding, setAdding] = useState(false);
  // The row the officer was on, kept while a document is open, and focus back on it after.
  const [activeRow, setActiveRow] = useState(0);
  const grid = useRef<HTMLDivElement>(null);
  const wasOpen = useRef(false);
  useEffect(() => {
    if (open) wasOpen.current = true;
    else if (wasOpen.current) {
      wasOpen.current = false;
      grid.current?.focus();
    }
  }, [open]);

  // The list is on screen: what arrived is seen here (its rows stay marked until opened).
  useEffect(() => {
    if (unseenArrivals > 0 && !open) arrivalsSeen();
  }, [unseenArrivals, open, arrivalsSeen]);

  // First page for each generation (filters, sort, new data).
  useEffect(() => {
    void rangeNeeded(0, 0);
  }, [generation, rangeNeeded]);

  const onVisibleRange = useCallback(
    (start: number, end: number) => void rangeNeeded(start, end),
    [rangeNeeded],
  );
  const date = new Intl.DateTimeFormat(i18n.language === 'vi' ? 'vi-VN' : 'en-GB', { dateStyle: 'medium' });

  const columns: GridColumn<DocumentSummary>[] = [
    {
      key: 'registryNumber',
      header: t('documents.col.number'),
      width: '7rem',
      sortable: true,
      render: (d) => d.registryNumber,
    },
    {
      key: 'date',
      header: t('documents.col.date'),
      width: '7.5rem',
      sortable: true,
      render: (d) => date.format(new Date(d.date)),
    },
    {
      key: 'subject',
      header: t('documents.col.subject'),
      // The column people read: twice the room the sender gets when the window is narrow.
      width: 'minmax(12rem, 2fr)',
      sortable: true,
      render: (d) => (
        <span className="subject-cell">
          {d.unread && (
            <span className="new-badge" title={t('documents.newLabel')} data-testid="new-badge">
              <span aria-hidden="true">{t('documents.new')}</span>
              <span className="visually-hidden">{t('documents.newLabel')}:</span>
            </span>
          )}
          <span className="subject-text" title={d.subject}>
            {d.subject}
          </span>
        </span>
      ),
    },
    {
      key: 'from',
      header: t('documents.col.from'),
      width: 'minmax(8rem, 1fr)',
      // "Name <address>": the name in the list, all of it on hover and in the document. A
      // received document shows its proven sender, never the author it claims.
      render: (d) => <span title={d.receivedFrom ?? d.from}>{senderName(d.receivedFrom ?? d.from)}</span>,
    },
    {
      key: 'direction',
      header: t('documents.col.direction'),
      width: '5.5rem',
      render: (d) => t(`documents.direction.${d.direction}`),
    },
    {
      key: 'classification',
      header: t('documents.col.classification'),
      width: '7rem',
      render: (d) => (
        <span className={`mark-chip classification-${d.classification}`}>
          {t(`classification.${d.classification}`)}
        </span>
      ),
    },
    {
      key: 'status',
      header: t('documents.col.status'),
      width: '7.5rem',
      render: (d) => t(`documents.status.${d.status}`),
    },
  ];

  if (open) return <DocumentView detail={open} />;

  return (
    <section className="screen screen-wide screen-fill" aria-labelledby="documents-title">
      <header className="screen-header screen-header-row">
        <h1 id="documents-title">{t('nav.documents')}</h1>
        <button
          type="button"
          className="button button-primary"
          onClick={() => setAdding(true)}
          data-testid="add-document"
        >
          {t('documents.add')}
        </button>
      </header>
      <div className="toolbar" role="group" aria-label={t('documents.filters')}>
        <SelectField
          label={t('documents.col.direction')}
          value={filters.direction ?? ''}
          onChange={(e) => filtersChanged({ ...filters, direction: (e.target.value || undefined) as never })}
        >
          <option value="">{t('documents.all')}</option>
          {DIRECTIONS.map((d) => (
            <option key={d} value={d}>
              {t(`documents.direction.${d}`)}
            </option>
          ))}
        </SelectField>
        <SelectField
          label={t('documents.col.status')}
          value={filters.status ?? ''}
          onChange={(e) => filtersChanged({ ...filters, status: (e.target.value || undefined) as never })}
          data-testid="filter-status"
        >
          <option value="">{t('documents.all')}</option>
          {filters.direction ? (
            statusesOf(filters.direction).map((s) => (
              <option key={s} value={s}>
                {t(`documents.status.${s}`)}
              </option>
            ))
          ) : (
            <>
              <optgroup label={`${t('documents.direction.outgoing')} / ${t('documents.direction.internal')}`}>
                {OUTGOING_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {t(`documents.status.${s}`)}
                  </option>
                ))}
              </optgroup>
              <optgroup label={t('documents.direction.incoming')}>
                {INCOMING_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {t(`documents.status.${s}`)}
                  </option>
                ))}
              </optgroup>
            </>
          )}
        </SelectField>
        <SelectField
          label={t('documents.col.kind')}
          value={filters.kind ?? ''}
          onChange={(e) => filtersChanged({ ...filters, kind: (e.target.value || undefined) as never })}
          data-testid="filter-kind"
        >
          <option value="">{t('documents.all')}</option>
          {DOCUMENT_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`documents.kind.${k}`)}
            </option>
          ))}
        </SelectField>
        <SelectField
          label={t('documents.col.classification')}
          value={filters.classification ?? ''}
          onChange={(e) =>
            filtersChanged({ ...filters, classification: (e.target.value || undefined) as never })
          }
        >
          <option value="">{t('documents.all')}</option>
          {CLASSIFICATIONS.map((c) => (
            <option key={c} value={c}>
              {t(`classification.${c}`)}
            </option>
          ))}
        </SelectField>
        <SelectField
          label={t('documents.show')}
          value={filters.archived ? 'archived' : 'active'}
          onChange={(e) =>
            filtersChanged({ ...filters, archived: e.target.value === 'archived' ? true : undefined })
          }
          data-testid="filter-archived"
        >
          <option value="active">{t('documents.showActive')}</option>
          <option value="archived">{t('documents.showArchived')}</option>
        </SelectField>
        <span className="toolbar-count" aria-live="polite" data-testid="document-count">
          {total === null ? t('documents.loading') : t('documents.count', { count: total })}
        </span>
      </div>
      {error && (
        <p className="callout callout-error" role="alert">
          {t(`errors.${error.code}`)}
        </p>
      )}
      <ArchivedNotice />
      {total === 0 &&
      !archivedNotice &&
      Object.keys(filters).every((k) => filters[k as keyof typeof filters] === undefined) ? (
        <div className="empty-state">
          <h2>{t('documents.emptyTitle')}</h2>
          <p>{t('documents.emptyBody')}</p>
          <button
            type="button"
            className="button button-primary"
            disabled={busy}
            onClick={() => void sampleDataRequested()}
            data-testid="load-sample"
          >
            {t('vault.sampleData')}
          </button>
        </div>
      ) : (
        <div className="grid-frame">
          <VirtualGrid
            label={t('documents.gridLabel')}
            total={total ?? 0}
            columns={columns}
            rowAt={(i) => rows[i]}
            rowKey={(d) => d.id}
            onVisibleRange={onVisibleRange}
            onOpen={(d) => void documentOpened(d.id)}
            sort={sort}
            onSort={(s) => sortChanged({ key: s.key as DocumentSortField, direction: s.direction })}
            emptyText={t('documents.noMatch')}
            active={activeRow}
            onActiveChange={setActiveRow}
            gridRef={grid}
          />
        </div>
      )}
      <AddDocumentDialog open={adding} onClose={() => setAdding(false)} />
    </section>
  );
}
