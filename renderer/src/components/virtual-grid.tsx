import { useVirtualizer } from '@tanstack/react-virtual';
import {
  useCallback,
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactNode,
  type Ref,
} from 'react';

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
 * Up/Down, Home/End move the active row; Enter opens it. The grid itself takes focus and
 * names the active row with `aria-activedescendant` (allowed on a grid, not on a rowgroup).
 * The grid is its own scroller (its header sticks), so the one element the keyboard reaches
 * is the one that scrolls. The active row may be held by the caller (`active`, `onActiveChange`), so it survives the
 * grid being unmounted while a row is open, and focus can return to it (`gridRef`).
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
  active: heldActive,
  onActiveChange,
  gridRef,
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
  active?: number;
  onActiveChange?: (index: number) => void;
  gridRef?: Ref<HTMLDivElement>;
}) {
  const scroller = useRef<HTMLDivElement | null>(null);
  const header = useRef<HTMLDivElement>(null);
  const [headerHeight, setHeaderHeight] = useState(40);
  useLayoutEffect(() => {
    setHeaderHeight(header.current?.offsetHeight ?? 40);
  }, []);
  const gridElement = useCallback(
    (element: HTMLDivElement | null) => {
      scroller.current = element;
      if (typeof gridRef === 'function') gridRef(element);
      else if (gridRef) gridRef.current = element;
    },
    [gridRef],
  );
  const [ownActive, setOwnActive] = useState(heldActive ?? 0);
  const active = heldActive ?? ownActive;
  const setActive = (index: number) => {
    setOwnActive(index);
    onActiveChange?.(index);
  };
  const id = useId();
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 8,
    // Rows start below the sticky header, which also covers the top of the scrolled view.
    scrollMargin: headerHeight,
    scrollPaddingStart: headerHeight,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? -1;

  useEffect(() => {
    if (last >= first) onVisibleRange(first, last);
  }, [first, last, onVisibleRange]);

  useEffect(() => {
    if (active >= total && total > 0) setActive(total - 1);
  }, [active, total]); // eslint-disable-line react-hooks/exhaustive-deps -- setActive is stable in effect

  // Shown again (e.g. back from an open row): the active row is scrolled into view.
  useEffect(() => {
    if (active > 0) virtualizer.scrollToIndex(active, { align: 'auto' });
  }, []); // eslint-disable-line react-hooks/exhaustive-deps -- once, on mount

  const template = columns.map((c) => c.width).join(' ');
  const pageRows = Math.max(
    1,
    Math.floor(((scroller.current?.clientHeight ?? rowHeight * 10) - headerHeight) / rowHeight) - 1,
  );

  const move = (next: number) => {
    const clamped = Math.min(Math.max(next, 0), Math.max(total - 1, 0));
    setActive(clamped);
    virtualizer.scrollToIndex(clamped, { align: 'auto' });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    // Keys pressed on a header's sort button are the button's own.
    if (e.target instanceof Element && e.target.closest('button')) return;
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
      ref={gridElement}
      className="grid"
      role="grid"
      aria-label={label}
      aria-rowcount={total + 1}
      aria-colcount={columns.length}
      tabIndex={total === 0 ? undefined : 0}
      aria-activedescendant={total === 0 ? undefined : `${id}-row-${active}`}
      onKeyDown={onKeyDown}
      data-testid="grid"
    >
      <div
        ref={header}
        className="grid-header"
        role="row"
        aria-rowindex={1}
        style={{ gridTemplateColumns: template }}
      >
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
        <div className="grid-body" role="rowgroup">
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
                    transform: `translateY(${item.start - headerHeight}px)`,
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
