import type { ChangePassword, CompleteSetup, Me, SignIn } from '@pond/contracts';
import { PondApiError } from '@pond/sdk';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from './client.tsx';

/** The signed-in user, or null when nobody is signed in. */
export function useMe() {
  const { client, setCsrfToken } = useApi();
  return useQuery({
    queryKey: ['me'],
    retry: false,
    staleTime: 60_000,
    queryFn: async (): Promise<Me | null> => {
      try {
        const me = await client.auth.me();
        setCsrfToken(me.csrfToken);
        return me;
      } catch (e) {
        if (e instanceof PondApiError && e.status === 401) return null;
        throw e;
      }
    },
  });
}

function useSignedIn() {
  const { setCsrfToken } = useApi();
  const queryClient = useQueryClient();
  return (me: Me) => {
    setCsrfToken(me.csrfToken);
    queryClient.setQueryData(['me'], me);
  };
}

export function useSignIn() {
  const { client } = useApi();
  const signedIn = useSignedIn();
  return useMutation({ mutationFn: (body: SignIn) => client.auth.signIn({ body }), onSuccess: signedIn });
}

export function useSetupStatus() {
  const { client } = useApi();
  return useQuery({ queryKey: ['setup'], queryFn: () => client.setup.status() });
}

export function useCompleteSetup() {
  const { client } = useApi();
  const signedIn = useSignedIn();
  return useMutation({
    mutationFn: (body: CompleteSetup) => client.setup.complete({ body }),
    onSuccess: signedIn,
  });
}

export function useSignOut() {
  const { client, setCsrfToken } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => client.auth.signOut(),
    onSettled: () => {
      setCsrfToken(null);
      queryClient.clear();
      queryClient.setQueryData(['me'], null);
    },
  });
}

export function useChangePassword() {
  const { client } = useApi();
  return useMutation({ mutationFn: (body: ChangePassword) => client.auth.changePassword({ body }) });
}
