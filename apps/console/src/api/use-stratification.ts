import type { UpdateStratification } from '@pond/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from './client.tsx';

const running = (status: string | undefined) => status === 'queued' || status === 'running';

/** The tenant's model; polled while a recompute is under way, so its progress shows. */
export function useStratification() {
  const { client } = useApi();
  return useQuery({
    queryKey: ['stratification'],
    queryFn: () => client.stratification.get(),
    refetchInterval: (q) => (running(q.state.data?.run?.status) ? 1000 : false),
  });
}

/** Counts per stage, score and segment; refreshed while a recompute runs. */
export function useStratificationDistribution(live: boolean) {
  const { client } = useApi();
  return useQuery({
    queryKey: ['stratification', 'distribution'],
    queryFn: () => client.stratification.distribution(),
    refetchInterval: live ? 2000 : false,
  });
}

export function useUpdateStratification() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateStratification) => client.stratification.update({ body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['stratification'] }),
  });
}

export function useRecomputeStratification() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => client.stratification.recompute(),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['stratification'] }),
  });
}

export function useCustomerStratification(customerId: string) {
  const { client } = useApi();
  return useQuery({
    queryKey: ['customer-stratification', customerId],
    queryFn: () => client.customerStratification.get({ params: { id: customerId } }),
  });
}
