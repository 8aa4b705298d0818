import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

export interface GridColumn<T> {
  readonly key: string;
  readonly header: string;
  /** CSS grid track, e.g. `8rem` or `1fr`. */
  readonly width: string;
  readonly render: (row: T) => ReactNode;
  readonly sortable?: boolean;
}

export interface GridSort {
  readonly key: string;
  readonly direction: 'asc' | 'desc';
}

/**
 * A virtualized, keyboard-driven grid: only the visible rows exist in the DOM (it stays
 * smooth and bounded at 100,000 rows). Rows are fetched by the caller on demand:
 * `rowAt(i)` answers what is loaded, `onVisibleRange` asks for more. Arrow keys, Page
 * Up/Down, Home/End move the active row; Enter opens it.
 */
export function VirtualGrid<T>({
  label,
  total,
  columns,
  rowAt,
  rowKey,
  onVisibleRange,
  onOpen,
  sort,
  onSort,
  rowHeight = 44,
  emptyText,
}: {
  label: string;
  total: number;
  columns: readonly GridColumn<T>[];
  rowAt: (index: number) => T | undefined;
  rowKey: (row: T) => string;
  onVisibleRange: (start: number, end: number) => void;
  onOpen: (row: T) => void;
  sort?: GridSort;
  onSort?: (sort: GridSort) => void;
  rowHeight?: number;
  emptyText: string;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const id = useId();
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 8,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? -1;

  useEffect(() => {
    if (last >= first) onVisibleRange(first, last);
  }, [first, last, onVisibleRange]);

  useEffect(() => {
    if (active >= total) setActive(Math.max(0, total - 1));
  }, [active, total]);

  const template = columns.map((c) => c.width).join(' ');
  const pageRows = Math.max(
    1,
    Math.floor((scroller.current?.clientHeight ?? rowHeight * 10) / rowHeight) - 1,
  );

  const move = (next: number) => {
    const clamped = Math.min(Math.max(next, 0), Math.max(total - 1, 0));
    setActive(clamped);
    virtualizer.scrollToIndex(clamped, { align: 'auto' });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(active + 1),
      ArrowUp: () => move(active - 1),
      PageDown: () => move(active + pageRows),
      PageUp: () => move(active - pageRows),
      Home: () => move(0),
      End: () => move(total - 1),
      Enter: () => {
        const row = rowAt(active);
        if (row) onOpen(row);
      },
    };
    const action = keys[e.key];
    if (action) {
      e.preventDefault();
      action();
    }
  };

  return (
    <div
      className="grid"
      role="grid"
      aria-label={label}
      aria-rowcount={total + 1}
      aria-colcount={columns.length}
    >
      <div className="grid-header" role="row" aria-rowindex={1} style={{ gridTemplateColumns: template }}>
        {columns.map((c) => {
          const sorted = sort?.key === c.key ? sort.direction : undefined;
          return (
            <div
              key={c.key}
              role="columnheader"
              aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
            >
              {c.sortable && onSort ? (
                <button
                  type="button"
                  className="grid-sort"
                  onClick={() => onSort({ key: c.key, direction: sorted === 'asc' ? 'desc' : 'asc' })}
                >
                  {c.header}
                  <span aria-hidden="true">{sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}</span>
                </button>
              ) : (
                c.header
              )}
            </div>
          );
        })}
      </div>
      {total === 0 ? (
        <div className="grid-empty">{emptyText}</div>
      ) : (
        <div
          ref={scroller}
          className="grid-body"
          tabIndex={0}
          role="rowgroup"
          aria-activedescendant={`${id}-row-${active}`}
          onKeyDown={onKeyDown}
        >
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {items.map((item) => {
              const row = rowAt(item.index);
              return (
                <div
                  key={row ? rowKey(row) : `pending-${item.index}`}
                  id={`${id}-row-${item.index}`}
                  role="row"
                  aria-rowindex={item.index + 2}
                  aria-selected={item.index === active}
                  className={`grid-row${item.index === active ? ' is-active' : ''}`}
                  style={{
                    gridTemplateColumns: template,
                    height: item.size,
                    transform: `translateY(${item.start}px)`,
                  }}
                  onClick={() => {
                    setActive(item.index);
                    if (row) onOpen(row);
                  }}
                >
                  {row
                    ? columns.map((c) => (
                        <div key={c.key} role="gridcell" className="grid-cell">
                          {c.render(row)}
                        </div>
                      ))
                    : columns.map((c) => (
                        <div
                          key={c.key}
                          role="gridcell"
                          className="grid-cell grid-pending"
                          aria-busy="true"
                        />
                      ))}
                </div>
              );
            })}
          </div>
        </div>
      )}
    </div>
  );
}
