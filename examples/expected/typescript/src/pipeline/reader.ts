import { Order } from '../model';

export function parseOrders(csv: string): Order[] {
  return csv
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [id, items, total] = l.split(',');
      return { id, items: Number(items), total: Number(total) };
    });
}
