interface PaginationProps {
  page: number;
  perPage: number;
  total: number;
  onPage: (page: number) => void;
  label: string;
}

/** "Showing 26–50 of 120" with previous/next buttons. */
export function Pagination({ page, perPage, total, onPage, label }: PaginationProps) {
  const pages = Math.max(1, Math.ceil(total / perPage));
  const first = total === 0 ? 0 : (page - 1) * perPage + 1;
  const last = Math.min(total, page * perPage);
  return (
    <nav className="pagination" aria-label={label}>
      <p aria-live="polite">
        {total === 0 ? "No results" : `Showing ${first}–${last} of ${total.toLocaleString()}`}
        {pages > 1 && ` · page ${page} of ${pages}`}
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
