import { Order } from '../model';

let formatted = 0;
export const formattedCount = () => formatted;

export function formatOrders(orders: Order[]): string {
  formatted += orders.length;
  return orders.map((o) => `${o.id}: ${o.total}`).join('\n');
}
