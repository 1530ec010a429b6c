import type { AttachIdentities, ListCustomersQuery, UpdateCustomer } from '@pond/contracts';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from './client.tsx';

export type CustomerFilters = Pick<
  Partial<ListCustomersQuery>,
  | 'q'
  | 'lifecycleStage'
  | 'membershipLevel'
  | 'sourceChannel'
  | 'city'
  | 'tagId'
  | 'audienceId'
  | 'storeId'
  | 'ownerStaffId'
  | 'createdFrom'
  | 'createdTo'
>;

export function useCustomerFacets() {
  const { client } = useApi();
  return useQuery({ queryKey: ['customer-facets'], queryFn: () => client.customers.facets() });
}

export function useCustomers(filters: CustomerFilters) {
  const { client } = useApi();
  return useInfiniteQuery({
    queryKey: ['customers', filters],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      client.customers.list({ query: { ...filters, limit: 30, cursor: pageParam } }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useCustomer(id: string) {
  const { client } = useApi();
  return useQuery({ queryKey: ['customer', id], queryFn: () => client.customers.get({ params: { id } }) });
}

export function useTimeline(id: string) {
  const { client } = useApi();
  return useInfiniteQuery({
    queryKey: ['timeline', id],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      client.customers.timeline({ params: { id }, query: { limit: 30, cursor: pageParam } }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useMerges(id: string) {
  const { client } = useApi();
  return useQuery({
    queryKey: ['merges', id],
    queryFn: async () => (await client.customers.merges({ params: { id } })).data,
  });
}

function useInvalidateCustomer(id: string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all(
      [['customer', id], ['timeline', id], ['merges', id], ['customers']].map((queryKey) =>
        queryClient.invalidateQueries({ queryKey }),
      ),
    );
}

export function useUpdateCustomer(id: string) {
  const { client } = useApi();
  const onSuccess = useInvalidateCustomer(id);
  return useMutation({
    mutationFn: (body: UpdateCustomer) => client.customers.update({ params: { id }, body }),
    onSuccess,
  });
}

export function useAddNote(id: string) {
  const { client } = useApi();
  const onSuccess = useInvalidateCustomer(id);
  return useMutation({
    mutationFn: (body: string) => client.customers.addNote({ params: { id }, body: { body } }),
    onSuccess,
  });
}

export function useUnmerge(id: string) {
  const { client } = useApi();
  const onSuccess = useInvalidateCustomer(id);
  return useMutation({
    mutationFn: (mergeId: number) => client.merges.unmerge({ params: { id: mergeId } }),
    onSuccess,
  });
}

export function useConsents(id: string) {
  const { client } = useApi();
  return useQuery({ queryKey: ['consents', id], queryFn: () => client.privacy.consents({ params: { id } }) });
}

export function useRecordConsent(id: string) {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: {
      purpose: string;
      channel: 'wecom' | 'sms' | 'email' | 'phone' | 'app' | 'all';
      status: 'granted' | 'withdrawn';
    }) => client.privacy.recordConsent({ params: { id }, body: { ...body, source: 'console' } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['consents', id] }),
  });
}

export function useExportCustomerData(id: string) {
  const { client } = useApi();
  return useMutation({ mutationFn: () => client.privacy.exportData({ params: { id } }) });
}

export function useEraseCustomer(id: string) {
  const { client } = useApi();
  const onSuccess = useInvalidateCustomer(id);
  return useMutation({
    mutationFn: (reason: string) => client.privacy.erase({ params: { id }, body: { confirm: id, reason } }),
    onSuccess,
  });
}

export function useAttachIdentities(id: string) {
  const { client } = useApi();
  const onSuccess = useInvalidateCustomer(id);
  return useMutation({
    mutationFn: (body: AttachIdentities) => client.customers.attachIdentities({ params: { id }, body }),
    onSuccess,
  });
}

/** Folds `mergedId` into the customer on screen. */
export function useMergeInto(id: string) {
  const { client } = useApi();
  const onSuccess = useInvalidateCustomer(id);
  return useMutation({
    mutationFn: (mergedId: string) => client.customers.merge({ body: { survivorId: id, mergedId } }),
    onSuccess,
  });
}

/** A few customers matching a search, for pickers. */
export function useCustomerSearch(q: string) {
  const { client } = useApi();
  return useQuery({
    queryKey: ['customer-search', q],
    enabled: q.trim().length > 0,
    queryFn: async () => (await client.customers.list({ query: { q: q.trim(), limit: 10 } })).data,
  });
}
