import type { CreateAudience, Rule, UpdateAudience } from '@pond/contracts';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useApi } from './client.tsx';

/** The value, once it has stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms = 400): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** The live count and newest matches of a rule; null while the rule is incomplete. */
export function useAudiencePreview(rule: Rule | null) {
  const { client } = useApi();
  const settled = useDebounced(rule);
  return useQuery({
    queryKey: ['audience-preview', settled],
    enabled: settled !== null,
    placeholderData: keepPreviousData,
    retry: false,
    queryFn: () => client.audiences.preview({ body: { rule: settled as Rule } }),
  });
}

export function useSavedAudiences() {
  const { client } = useApi();
  return useQuery({ queryKey: ['audiences'], queryFn: async () => (await client.audiences.list()).data });
}

export function useSavedAudience(id: string | undefined) {
  const { client } = useApi();
  return useQuery({
    queryKey: ['audience', id],
    enabled: Boolean(id),
    queryFn: () => client.audiences.get({ params: { id: id ?? '' } }),
  });
}

export function useSaveAudience() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateAudience) => client.audiences.create({ body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['audiences'] }),
  });
}

/** Renames, changes the rule of, archives or restores a saved audience. */
export function useUpdateAudience() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateAudience }) =>
      client.audiences.update({ params: { id }, body }),
    onSuccess: (saved) => {
      queryClient.setQueryData(['audience', saved.id], saved);
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: ['audiences'] }),
        queryClient.invalidateQueries({ queryKey: ['audience-trends'] }),
        queryClient.invalidateQueries({ queryKey: ['audience-sizes', saved.id] }),
        queryClient.invalidateQueries({ queryKey: ['audience-dependants'] }),
      ]);
    },
  });
}

/** Every audience's size per day over the last `days` days (for the list's sparklines). */
export function useAudienceTrends(days = 30) {
  const { client } = useApi();
  return useQuery({
    queryKey: ['audience-trends', days],
    queryFn: () => client.audiences.trends({ query: { days } }),
  });
}

/** WeCom customer groups to name in rules: active ones matching `q`, newest first. */
export function useRuleGroups(q: string) {
  const { client } = useApi();
  return useQuery({
    queryKey: ['rule-groups', q],
    placeholderData: keepPreviousData,
    retry: false,
    queryFn: async () =>
      (await client.customerGroups.list({ query: { q: q || undefined, status: 'active', limit: 50 } })).data,
  });
}

/** The audiences and auto-tag rules whose rules name this audience. */
export function useAudienceDependants(id: string | undefined) {
  const { client } = useApi();
  return useQuery({
    queryKey: ['audience-dependants', id],
    enabled: Boolean(id),
    queryFn: () => client.audiences.dependants({ params: { id: id ?? '' } }),
  });
}

/** One audience's size, entries and exits per day over the last `days` days. */
export function useAudienceSizes(id: string | undefined, days: number) {
  const { client } = useApi();
  return useQuery({
    queryKey: ['audience-sizes', id, days],
    enabled: Boolean(id),
    placeholderData: keepPreviousData,
    queryFn: () => client.audiences.sizes({ params: { id: id ?? '' }, query: { days } }),
  });
}

/** Each condition of a rule for one customer, held or not, with its value. */
export function useExplain(rule: Rule | null, customerId: string | undefined) {
  const { client } = useApi();
  const settled = useDebounced(rule);
  return useQuery({
    queryKey: ['audience-explain', settled, customerId],
    enabled: settled !== null && Boolean(customerId),
    retry: false,
    queryFn: () =>
      client.audiences.explain({ body: { rule: settled as Rule, customerId: customerId ?? '' } }),
  });
}

export function useAudienceOverlap(ids: string[]) {
  const { client } = useApi();
  return useQuery({
    queryKey: ['audience-overlap', ids],
    enabled: ids.length >= 2 && ids.length <= 5,
    queryFn: () => client.audiences.overlap({ body: { audienceIds: ids } }),
  });
}

export function useCustomerAudiences(customerId: string) {
  const { client } = useApi();
  return useQuery({
    queryKey: ['customer-audiences', customerId],
    queryFn: () => client.customerAudiences.list({ params: { id: customerId } }),
  });
}
