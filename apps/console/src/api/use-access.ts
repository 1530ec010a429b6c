import type { CreateApiKey, CreateUser, UpdateUser } from '@pond/contracts';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from './client.tsx';

export function useRoles() {
  const { client } = useApi();
  return useQuery({
    queryKey: ['roles'],
    queryFn: async () => (await client.roles.list()).data,
    staleTime: Infinity,
  });
}

export function useUsers(q: string) {
  const { client } = useApi();
  return useInfiniteQuery({
    queryKey: ['users', q],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      client.users.list({ query: { q: q || undefined, limit: 20, cursor: pageParam } }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useCreateUser() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateUser) => client.users.create({ body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['users'] }),
  });
}

export function useUpdateUser() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateUser }) =>
      client.users.update({ params: { id }, body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['users'] }),
  });
}

export function useApiKeys() {
  const { client } = useApi();
  return useQuery({ queryKey: ['api-keys'], queryFn: async () => (await client.apiKeys.list()).data });
}

export function useCreateApiKey() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateApiKey) => client.apiKeys.create({ body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['api-keys'] }),
  });
}

export function useRevokeApiKey() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => client.apiKeys.revoke({ params: { id } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['api-keys'] }),
  });
}
