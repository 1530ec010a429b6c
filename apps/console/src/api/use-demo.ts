import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from './client.tsx';

/** Demo status; polled every second while a load runs. */
export function useDemoStatus(enabled: boolean) {
  const { client } = useApi();
  return useQuery({
    queryKey: ['demo'],
    enabled,
    queryFn: () => client.demo.status(),
    refetchInterval: (q) => (q.state.data?.state === 'loading' ? 1000 : false),
  });
}

export function useLoadDemo() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => client.demo.load(),
    onSuccess: (status) => queryClient.setQueryData(['demo'], status),
  });
}
