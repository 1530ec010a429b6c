import type { CreateLiveCode, UpdateLiveCode } from '@pond/contracts';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from './client.tsx';

/** Live codes, newest first; `fetchNextPage` follows the cursor. */
export function useLiveCodes(status: 'active' | 'deleted', q: string) {
  const { client } = useApi();
  return useInfiniteQuery({
    queryKey: ['live-codes', status, q],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      client.liveCodes.list({ query: { status, limit: 20, cursor: pageParam, ...(q ? { q } : {}) } }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useLiveCode(id: string | undefined) {
  const { client } = useApi();
  return useQuery({
    queryKey: ['live-code', id],
    enabled: Boolean(id),
    queryFn: () => client.liveCodes.get({ params: { id: id ?? '' } }),
  });
}

export function useLiveCodeStats(id: string | undefined, days: number) {
  const { client } = useApi();
  return useQuery({
    queryKey: ['live-code-stats', id, days],
    enabled: Boolean(id),
    queryFn: () => client.liveCodes.stats({ params: { id: id ?? '' }, query: { days } }),
  });
}

export function useLiveCodeAdds(id: string | undefined) {
  const { client } = useApi();
  return useInfiniteQuery({
    queryKey: ['live-code-adds', id],
    enabled: Boolean(id),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      client.liveCodes.adds({ params: { id: id ?? '' }, query: { limit: 20, cursor: pageParam } }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

function useLiveCodeMutation<T>(fn: (input: T) => Promise<{ id: string }>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (saved) =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ['live-codes'] }),
        queryClient.invalidateQueries({ queryKey: ['live-code', saved.id] }),
      ]),
  });
}

export function useCreateLiveCode() {
  const { client } = useApi();
  return useLiveCodeMutation((body: CreateLiveCode) => client.liveCodes.create({ body }));
}

export function useUpdateLiveCode() {
  const { client } = useApi();
  return useLiveCodeMutation(({ id, body }: { id: string; body: UpdateLiveCode }) =>
    client.liveCodes.update({ params: { id }, body }),
  );
}

export function useDeleteLiveCode() {
  const { client } = useApi();
  return useLiveCodeMutation((id: string) => client.liveCodes.remove({ params: { id } }));
}

/** Active staff with a WeCom userid, for pools and receivers (the first 200 matching `q`). */
export function useWeComStaff(q: string) {
  const { client } = useApi();
  return useQuery({
    queryKey: ['wecom-staff', q],
    queryFn: async () =>
      (
        await client.staff.list({
          query: { status: 'active', limit: 200, sort: 'name', ...(q ? { q } : {}) },
        })
      ).data.filter((s) => s.wecomUserId),
  });
}
