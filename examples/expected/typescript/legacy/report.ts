export interface Row { name: string; total: number }

export function formatRow(row: Row): string {
  return `${row.name.padEnd(20)} ${row.total.toFixed(2)}`;
}

export function formatReport(rows: Row[]): string {
  const lines = rows.map(formatRow);
  const sum = rows.reduce((s, r) => s + r.total, 0);
  return [...lines, `${'TOTAL'.padEnd(20)} ${sum.toFixed(2)}`].join('\n');
}
