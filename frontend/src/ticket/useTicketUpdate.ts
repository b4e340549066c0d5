import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, ifMatch, unwrap } from "../api/client";
import { ApiError } from "../api/errors";
import { keys } from "../api/queries";
import type { Ticket, TicketPatch } from "../api/types";

/** Someone else saved the ticket after we read it: our unsent changes and their version. */
export interface Conflict {
  mine: TicketPatch;
  theirs: Ticket;
}

interface Update {
  changes: TicketPatch;
  /** The version the changes were made against: the server refuses them if it is stale. */
  version: number;
}

function patchTicket(id: number, { changes, version }: Update): Promise<Ticket> {
  return unwrap(
    api.PATCH("/api/tickets/{ticket_id}", {
      params: { path: { ticket_id: id }, header: { "If-Match": ifMatch(version) } },
      body: changes,
    }),
  );
}

/**
 * PATCH a ticket with If-Match. On 412 the newer ticket is fetched and shown, and the
 * caller gets a Conflict to offer "apply mine to the newer version" or "keep theirs".
 */
export function useTicketUpdate(id: number) {
  const queryClient = useQueryClient();
  const [conflict, setConflict] = useState<Conflict | null>(null);

  const mutation = useMutation({
    mutationFn: async (update: Update) => {
      try {
        return await patchTicket(id, update);
      } catch (error) {
        if (error instanceof ApiError && error.status === 412) {
          const theirs = await unwrap(
            api.GET("/api/tickets/{ticket_id}", { params: { path: { ticket_id: id } } }),
          );
          queryClient.setQueryData(keys.ticket(id), theirs);
          setConflict({ mine: update.changes, theirs });
        }
        throw error;
      }
    },
    onMutate: () => setConflict(null),
    onSuccess: (ticket) => {
      queryClient.setQueryData(keys.ticket(id), ticket);
      void queryClient.invalidateQueries({ queryKey: keys.history(id) });
      void queryClient.invalidateQueries({ queryKey: ["tickets", "list"] });
      void queryClient.invalidateQueries({ queryKey: keys.categories });
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: keys.history(id) });
    },
  });

  return { mutation, conflict, dismissConflict: () => setConflict(null) };
}
