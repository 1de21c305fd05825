export interface Row {
  name: string;
  total: number;
}

export function formatRow(row: Row): string {
  return `${row.name.padEnd(20)} ${row.total.toFixed(2)}`;
}
