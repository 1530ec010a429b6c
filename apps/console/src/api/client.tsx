import { createClient } from '@pond/sdk';
import { createContext, type ReactNode, useContext, useMemo, useRef } from 'react';

interface Api {
  readonly client: ReturnType<typeof createClient>;
  /** Remembers the session's CSRF token (from sign-in, setup or `me`) for later writes. */
  setCsrfToken(token: string | null): void;
}

const ApiContext = createContext<Api | null>(null);

/** One SDK client for the console, on the same origin, sending the CSRF token with writes. */
export function ApiProvider({ children }: { children: ReactNode }) {
  const csrf = useRef<string | null>(null);
  const api = useMemo<Api>(
    () => ({
      client: createClient({ csrfToken: () => csrf.current }),
      setCsrfToken: (token) => {
        csrf.current = token;
      },
    }),
    [],
  );
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiProvider');
  return api;
}
