/**
 * A long table drawn a window at a time: the rows in view (and a few around) are on the page, the
 * rest are spacers of the same height, so that 5,000 members cost the first render what 30 do. The
 * rows must keep one fixed height (ROW_HEIGHT, CSS `.vtable`): cells do not wrap.
 */
import { type ReactNode, useState } from 'react';

export const ROW_HEIGHT = 29;
const OVERSCAN = 10;

export function VirtualTable<T>({
  rows,
  head,
  row,
  height = 420,
  className,
  testId,
}: {
  rows: readonly T[];
  head: ReactNode;
  row: (r: T, i: number) => ReactNode;
  /** Height of the scrolling box in pixels (the header included). */
  height?: number;
  className?: string;
  testId?: string;
}) {
  const [first, setFirst] = useState(0);
  const from = Math.max(0, first - OVERSCAN);
  const to = Math.min(rows.length, first + Math.ceil(height / ROW_HEIGHT) + OVERSCAN);
  return (
    <div
      className="vscroll"
      style={{ maxHeight: height }}
      onScroll={(e) => {
        const f = Math.floor(e.currentTarget.scrollTop / ROW_HEIGHT);
        if (f !== first) setFirst(f);
      }}
    >
      <table className={`vtable ${className ?? ''}`} data-testid={testId} aria-rowcount={rows.length + 1}>
        <thead>{head}</thead>
        <tbody>
          {from > 0 && <Spacer height={from * ROW_HEIGHT} />}
          {rows.slice(from, to).map((r, k) => row(r, from + k))}
          {to < rows.length && <Spacer height={(rows.length - to) * ROW_HEIGHT} />}
        </tbody>
      </table>
    </div>
  );
}

function Spacer({ height }: { height: number }) {
  return (
    <tr className="spacer">
      <td colSpan={99} style={{ height }} />
    </tr>
  );
}
