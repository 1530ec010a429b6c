import type { ListAuditQuery } from '@pond/contracts';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useApi } from './client.tsx';

export type AuditFilters = Pick<Partial<ListAuditQuery>, 'action' | 'targetId' | 'since' | 'until'>;

export function useAuditLog(filters: AuditFilters) {
  const { client } = useApi();
  return useInfiniteQuery({
    queryKey: ['audit', filters],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => client.audit.list({ query: { ...filters, limit: 30, cursor: pageParam } }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}
