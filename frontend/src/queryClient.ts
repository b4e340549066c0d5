import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { setCsrfToken } from "./api/client";
import { ApiError } from "./api/errors";
import { keys } from "./api/queries";

/** Retry only what may be transient: never a 4xx the server meant. */
function shouldRetry(failures: number, error: unknown): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failures < 2;
}

export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    defaultOptions: {
      queries: { retry: shouldRetry, staleTime: 15_000, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
    // A 401 from anything but the sign-in itself means the session ended: show the sign-in page.
    queryCache: new QueryCache({ onError: (error) => sessionEnded(client, error) }),
    mutationCache: new MutationCache({ onError: (error) => sessionEnded(client, error) }),
  });
  return client;
}

function sessionEnded(client: QueryClient, error: unknown): void {
  if (!(error instanceof ApiError) || error.status !== 401) return;
  if (client.getQueryData(keys.session) == null) return;
  setCsrfToken(null);
  client.setQueryData(keys.session, null);
}
