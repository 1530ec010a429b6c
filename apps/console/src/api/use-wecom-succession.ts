import type { CreateTransfer, TransferKind } from '@pond/contracts';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from './client.tsx';

export function useSuccessionCandidates(kind: TransferKind) {
  const { client } = useApi();
  return useQuery({
    queryKey: ['succession-candidates', kind],
    queryFn: () => client.succession.candidates({ query: { kind } }),
  });
}

export function useSuccessionAssets(kind: TransferKind, userId: string | undefined) {
  const { client } = useApi();
  return useQuery({
    queryKey: ['succession-assets', kind, userId],
    enabled: Boolean(userId),
    queryFn: () => client.succession.assets({ params: { userId: userId ?? '' }, query: { kind } }),
  });
}

/** Transfers, newest first, refreshed while any is running. */
export function useTransfers() {
  const { client } = useApi();
  return useInfiniteQuery({
    queryKey: ['transfers'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => client.transfers.list({ query: { limit: 20, cursor: pageParam } }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: (q) =>
      q.state.data?.pages.some((p) => p.data.some((t) => t.status === 'running')) ? 5000 : false,
  });
}

export function useTransfer(id: string | null) {
  const { client } = useApi();
  return useQuery({
    queryKey: ['transfer', id],
    enabled: Boolean(id),
    queryFn: () => client.transfers.get({ params: { id: id ?? '' } }),
    refetchInterval: (q) => (q.state.data?.status === 'running' ? 5000 : false),
  });
}

function useTransferMutation<T>(fn: (input: T) => Promise<{ id: string }>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (t) =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ['transfers'] }),
        queryClient.invalidateQueries({ queryKey: ['transfer', t.id] }),
        queryClient.invalidateQueries({ queryKey: ['succession-assets'] }),
      ]),
  });
}

export function useCreateTransfer() {
  const { client } = useApi();
  return useTransferMutation((body: CreateTransfer) => client.transfers.create({ body }));
}

export function useRetryTransfer() {
  const { client } = useApi();
  return useTransferMutation(({ id, itemIds }: { id: string; itemIds?: number[] }) =>
    client.transfers.retry({ params: { id }, body: itemIds ? { itemIds } : {} }),
  );
}
