import { Link } from "react-router";
import { useTitle } from "../lib/useTitle";

export function NotFoundPage({ what = "page" }: { what?: string }) {
  useTitle("Not found");
  return (
    <section className="panel" aria-labelledby="notfound-title">
      <h1 id="notfound-title">{what === "ticket" ? "Ticket not found" : "Page not found"}</h1>
      <p>
        {what === "ticket"
          ? "This ticket does not exist, or you do not have access to it."
          : "There is nothing at this address."}
      </p>
      <p>
        <Link to="/tickets">Back to the tickets</Link>
      </p>
    </section>
  );
}
