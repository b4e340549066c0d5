interface PaginationProps {
  page: number;
  perPage: number;
  total: number;
  /** False when the server stopped counting: more than `total` items, so no last page. */
  exact?: boolean;
  onPage: (page: number) => void;
  label: string;
}

/** "Showing 26–50 of 120" (or "of more than 500") with previous/next buttons. */
export function Pagination({ page, perPage, total, exact = true, onPage, label }: PaginationProps) {
  const pages = exact ? Math.max(1, Math.ceil(total / perPage)) : Number.POSITIVE_INFINITY;
  const first = total === 0 ? 0 : (page - 1) * perPage + 1;
  const last = Math.min(total, page * perPage);
  const of = exact ? total.toLocaleString() : `more than ${total.toLocaleString()}`;
  return (
    <nav className="pagination" aria-label={label}>
      <p aria-live="polite">
        {total === 0 ? "No results" : `Showing ${first.toLocaleString()}–${last.toLocaleString()} of ${of}`}
        {exact && pages > 1 && ` · page ${page} of ${pages}`}
      </p>
      <div className="button-row">
        <button type="button" className="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
          Previous
        </button>
        <button type="button" className="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
          Next
        </button>
      </div>
    </nav>
  );
}
