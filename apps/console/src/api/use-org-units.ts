import type { CreateOrgUnit, UpdateOrgUnit } from '@pond/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from './client.tsx';

export function useOrgUnits() {
  const { client } = useApi();
  return useQuery({ queryKey: ['org-units'], queryFn: async () => (await client.orgUnits.list()).data });
}

function useInvalidateOrg() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: ['org-units'] });
}

export function useCreateOrgUnit() {
  const { client } = useApi();
  const onSuccess = useInvalidateOrg();
  return useMutation({ mutationFn: (body: CreateOrgUnit) => client.orgUnits.create({ body }), onSuccess });
}

export function useUpdateOrgUnit() {
  const { client } = useApi();
  const onSuccess = useInvalidateOrg();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateOrgUnit }) =>
      client.orgUnits.update({ params: { id }, body }),
    onSuccess,
  });
}

export function useDeleteOrgUnit() {
  const { client } = useApi();
  const onSuccess = useInvalidateOrg();
  return useMutation({ mutationFn: (id: string) => client.orgUnits.remove({ params: { id } }), onSuccess });
}
