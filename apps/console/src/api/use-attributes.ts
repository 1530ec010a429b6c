import type { CreateAttributeDefinition, IdentityType, UpdateAttributeDefinition } from '@pond/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from './client.tsx';

export function useAttributes() {
  const { client } = useApi();
  return useQuery({
    queryKey: ['attributes'],
    queryFn: async () => (await client.attributes.list()).data,
  });
}

export function useCreateAttribute() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateAttributeDefinition) => client.attributes.create({ body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['attributes'] }),
  });
}

export function useUpdateAttribute() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ key, body }: { key: string; body: UpdateAttributeDefinition }) =>
      client.attributes.update({ params: { key }, body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['attributes'] }),
  });
}

export function useIdentityPriority() {
  const { client } = useApi();
  return useQuery({ queryKey: ['identity-priority'], queryFn: () => client.identityPriority.get() });
}

export function useSetIdentityPriority() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (priority: IdentityType[] | null) => client.identityPriority.set({ body: { priority } }),
    onSuccess: (data) => queryClient.setQueryData(['identity-priority'], data),
  });
}
