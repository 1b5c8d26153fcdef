/** Index of the first row with id >= `id` in rows sorted by id (binary search). */
export function firstRowAtOrAbove(rows: readonly { readonly id: number }[], id: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid]!.id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
