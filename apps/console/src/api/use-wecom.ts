import type { ListLossAlertsQuery, SaveWeComConfig, UpdateLossAlert, WeComCallback } from '@pond/contracts';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from './client.tsx';

export function useWeComConfig() {
  const { client } = useApi();
  return useQuery({ queryKey: ['wecom-config'], queryFn: () => client.wecomConfig.get() });
}

export function useSaveWeComConfig() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: SaveWeComConfig) => client.wecomConfig.save({ body }),
    onSuccess: (config) => queryClient.setQueryData(['wecom-config'], config),
  });
}

export function useCheckWeCom() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => client.wecomConfig.check(),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['wecom-config'] }),
  });
}

export function useWeComCallbacks(status: WeComCallback['status'] | undefined) {
  const { client } = useApi();
  return useInfiniteQuery({
    queryKey: ['wecom-callbacks', status],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      client.wecomCallbacks.list({ query: { status, limit: 20, cursor: pageParam } }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: 10_000,
  });
}

export function useWeComCallbackStats() {
  const { client } = useApi();
  return useQuery({
    queryKey: ['wecom-callback-stats'],
    queryFn: () => client.wecomCallbacks.stats(),
    refetchInterval: 10_000,
  });
}

export function useWeComRejections() {
  const { client } = useApi();
  return useInfiniteQuery({
    queryKey: ['wecom-rejections'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => client.wecomCallbacks.rejections({ query: { limit: 20, cursor: pageParam } }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useRetryCallback() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => client.wecomCallbacks.retry({ params: { id } }),
    onSuccess: () =>
      Promise.all(
        [['wecom-callbacks'], ['wecom-callback-stats']].map((queryKey) =>
          queryClient.invalidateQueries({ queryKey }),
        ),
      ),
  });
}

export type LossAlertFilters = Pick<Partial<ListLossAlertsQuery>, 'status' | 'kind' | 'assigneeId'>;

export function useLossAlerts(filters: LossAlertFilters) {
  const { client } = useApi();
  return useInfiniteQuery({
    queryKey: ['loss-alerts', filters],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      client.lossAlerts.list({ query: { ...filters, limit: 30, cursor: pageParam } }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useLossAlertSummary() {
  const { client } = useApi();
  return useQuery({ queryKey: ['loss-alerts-summary'], queryFn: () => client.lossAlerts.summary() });
}

export function useUpdateLossAlert() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateLossAlert }) =>
      client.lossAlerts.update({ params: { id }, body }),
    onSuccess: () =>
      Promise.all(
        [['loss-alerts'], ['loss-alerts-summary']].map((queryKey) =>
          queryClient.invalidateQueries({ queryKey }),
        ),
      ),
  });
}

export function useCustomerGroups(filters: { q?: string; status?: 'active' | 'dismissed' }) {
  const { client } = useApi();
  return useInfiniteQuery({
    queryKey: ['customer-groups', filters],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      client.customerGroups.list({ query: { ...filters, limit: 30, cursor: pageParam } }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useCustomerGroup(id: string | null) {
  const { client } = useApi();
  return useQuery({
    queryKey: ['customer-group', id],
    enabled: id !== null,
    queryFn: () => client.customerGroups.get({ params: { id: id ?? '' } }),
  });
}

export function useCustomerWeCom(customerId: string) {
  const { client } = useApi();
  return useQuery({
    queryKey: ['customer-wecom', customerId],
    queryFn: () => client.customerWeCom.get({ params: { id: customerId } }),
  });
}

export function useWeComSync() {
  const { client } = useApi();
  return useQuery({
    queryKey: ['wecom-sync'],
    queryFn: () => client.wecomSync.latest(),
    // Follows a running sync every 2 s.
    refetchInterval: (q) => {
      const s = q.state.data?.sync?.status;
      return s === 'queued' || s === 'running' ? 2000 : false;
    },
  });
}

export function useStartWeComSync() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => client.wecomSync.start(),
    onSuccess: (sync) => queryClient.setQueryData(['wecom-sync'], { sync }),
  });
}
