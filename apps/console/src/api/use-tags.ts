import type { BulkTarget, CreateTag, UpdateTag } from '@pond/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from './client.tsx';

export function useTagGroups() {
  const { client } = useApi();
  return useQuery({ queryKey: ['tag-groups'], queryFn: async () => (await client.tagGroups.list()).data });
}

function useTagMutation<T, R>(fn: (input: T) => Promise<R>, also: string[][] = []) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () =>
      Promise.all([['tag-groups'], ...also].map((queryKey) => queryClient.invalidateQueries({ queryKey }))),
  });
}

export function useCreateTagGroup() {
  const { client } = useApi();
  return useTagMutation((name: string) => client.tagGroups.create({ body: { name } }));
}

export function useRenameTagGroup() {
  const { client } = useApi();
  return useTagMutation(({ id, name }: { id: string; name: string }) =>
    client.tagGroups.update({ params: { id }, body: { name } }),
  );
}

export function useRemoveTagGroup() {
  const { client } = useApi();
  return useTagMutation((id: string) => client.tagGroups.remove({ params: { id } }));
}

export function useCreateTag() {
  const { client } = useApi();
  return useTagMutation((body: CreateTag) => client.tags.create({ body }));
}

export function useUpdateTag() {
  const { client } = useApi();
  return useTagMutation(({ id, body }: { id: string; body: UpdateTag }) =>
    client.tags.update({ params: { id }, body }),
  );
}

export function useBulkTag() {
  const { client } = useApi();
  return useTagMutation(
    ({ tagId, target, remove }: { tagId: string; target: BulkTarget; remove?: boolean }) => {
      const body =
        'customerIds' in target
          ? { customerIds: [...target.customerIds] }
          : { audienceId: target.audienceId };
      return remove
        ? client.tags.remove({ params: { id: tagId }, body })
        : client.tags.apply({ params: { id: tagId }, body });
    },
    [['customer-tags']],
  );
}

export function useCustomerTags(id: string) {
  const { client } = useApi();
  return useQuery({
    queryKey: ['customer-tags', id],
    queryFn: async () => (await client.customerTags.list({ params: { id } })).data,
  });
}

export function useTagCustomer(id: string) {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ add, remove, expiresAt }: { add?: string[]; remove?: string[]; expiresAt?: number }) =>
      add
        ? client.customerTags.add({
            params: { id },
            body: { tagIds: add, ...(expiresAt ? { expiresAt } : {}) },
          })
        : client.customerTags.remove({ params: { id }, body: { tagIds: remove ?? [] } }),
    onSuccess: (data) => {
      queryClient.setQueryData(['customer-tags', id], data.data);
      return queryClient.invalidateQueries({ queryKey: ['tag-groups'] });
    },
  });
}

export function useAutoTagRules() {
  const { client } = useApi();
  return useQuery({
    queryKey: ['auto-tag-rules'],
    queryFn: async () => (await client.autoTagRules.list()).data,
    // Runs happen in the background: keep the counts fresh while the page is open.
    refetchInterval: 5_000,
  });
}

export function useAutoTagMutation<T, R>(
  fn: (client: ReturnType<typeof useApi>['client'], input: T) => Promise<R>,
) {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: T) => fn(client, input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['auto-tag-rules'] }),
  });
}
