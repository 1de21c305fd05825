export interface Order {
  id: string;
  items: number;
  total: number;
}

export function isLarge(o: Order): boolean {
  return o.total > 250;
}
