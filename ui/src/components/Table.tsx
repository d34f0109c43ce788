import type { ReactNode, TableHTMLAttributes } from 'react';

/**
 * A table in its own sideways-scrolling box (`.table-scroll`), so that a wide table never makes
 * the page wider than a phone. `stack`: on a phone each row becomes a card instead (header hidden),
 * for short rows that read well one under another; a cell with `data-label` takes a line of its
 * own under that name (for rows whose cells need their column's name).
 */
export function Table({
  stack = false,
  className,
  ...props
}: TableHTMLAttributes<HTMLTableElement> & { stack?: boolean }) {
  const classes = [className, stack ? 'table-stack' : null].filter(Boolean).join(' ');
  return (
    <div className="table-scroll">
      <table className={classes || undefined} {...props} />
    </div>
  );
}

/** A table's header row: one column header (`scope="col"`) per entry. */
export function TableHead({ columns }: { columns: ReactNode[] }) {
  return (
    <thead>
      <tr>
        {columns.map((column, index) => (
          <th key={index} scope="col">
            {column}
          </th>
        ))}
      </tr>
    </thead>
  );
}
