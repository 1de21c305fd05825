import { Row, formatRow } from './row';

export function formatReport(rows: Row[]): string {
  const lines = rows.map(formatRow);
  const sum = rows.reduce((s, r) => s + r.total, 0);
  return [...lines, `${'TOTAL'.padEnd(20)} ${sum.toFixed(2)}`].join('\n');
}
