import type { CreateSource, UpdateSource } from '@pond/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from './client.tsx';

export function useSources() {
  const { client } = useApi();
  return useQuery({ queryKey: ['sources'], queryFn: async () => (await client.sources.list()).data });
}

export function useCreateSource() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateSource) => client.sources.create({ body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['sources'] }),
  });
}

export function useUpdateSource() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateSource }) =>
      client.sources.update({ params: { id }, body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['sources'] }),
  });
}

export function useCatalog() {
  const { client } = useApi();
  return useQuery({ queryKey: ['catalog'], queryFn: async () => (await client.events.catalog()).data });
}

/** The debugger feed, polled every two seconds while the page is open. */
export function useDebugger(paused: boolean) {
  const { client } = useApi();
  return useQuery({
    queryKey: ['debugger'],
    queryFn: async () => (await client.events.debugger({ query: { limit: 100 } })).data,
    refetchInterval: paused ? false : 2000,
  });
}
