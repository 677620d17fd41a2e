/** A paged admin list: the first page on load (and whenever `url` changes), then "Load more" with the cursor. */
import { useCallback, useEffect, useState } from "react";
import { api, describeError } from "../../api";

/** `field`: the page's list (`users`, `spaces`, …). */
export function usePaged<T>(url: string, field: string) {
  const [items, setItems] = useState<T[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(
    async (cursor?: string) => {
      setLoading(true);
      setError(null);
      try {
        const page = await api.get<Record<string, T[]> & { nextCursor: string | null }>(`${url}${url.includes("?") ? "&" : "?"}${cursor ? `cursor=${encodeURIComponent(cursor)}` : ""}`);
        const got = page[field] ?? [];
        setItems((prev) => (cursor ? [...(prev ?? []), ...got] : got));
        setNext(page.nextCursor);
      } catch (err) {
        setError(describeError(err));
      } finally {
        setLoading(false);
      }
    },
    [url, field],
  );

  useEffect(() => {
    void load();
  }, [load]);

  return { items, setItems, error, loading, hasMore: next !== null, more: () => next && load(next), reload: () => load() };
}
