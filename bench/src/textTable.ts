/** A column of a plain-text table: text columns are aligned left, figures right. */
export interface TextColumn {
  title: string;
  left?: boolean;
}

/** A plain-text table with a title row and a rule, each column as wide as its widest cell. */
export function textTable(columns: TextColumn[], rows: string[][]): string {
  const widths = columns.map((column, index) =>
    Math.max(column.title.length, ...rows.map(cells => cells[index].length)),
  );
  const format = (cells: string[]) =>
    cells
      .map((cell, index) =>
        columns[index].left
          ? cell.padEnd(widths[index])
          : cell.padStart(widths[index]),
      )
      .join('  ')
      .trimEnd();
  return [
    format(columns.map(column => column.title)),
    widths.map(width => '-'.repeat(width)).join('  '),
    ...rows.map(format),
  ].join('\n');
}
