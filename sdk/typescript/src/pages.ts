/** One page of a cursor-paged list, as every list endpoint answers. */
export interface Page<Item> {
  items: Item[];
  total: number;
  nextCursor: string | null;
}

/**
 * Every item of a cursor-paged list, fetching the next page only when the caller has used up the
 * current one (so `break` stops the requests).
 */
export async function* paginate<Item>(
  fetchPage: (cursor: string | undefined) => Promise<Page<Item>>,
): AsyncGenerator<Item, void, undefined> {
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}
