import type { CreateStaff, ListStaffQuery, UpdateStaff } from '@pond/contracts';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useApi } from './client.tsx';

export type StaffFilters = Pick<Partial<ListStaffQuery>, 'orgUnitId' | 'status' | 'q'>;

/** Staff pages, newest first; `fetchNextPage` follows the cursor. */
export function useStaffList(filters: StaffFilters) {
  const { client } = useApi();
  return useInfiniteQuery({
    queryKey: ['staff', filters],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => client.staff.list({ query: { ...filters, limit: 20, cursor: pageParam } }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

function useStaffMutation<T>(fn: (input: T) => Promise<unknown>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['staff'] }),
  });
}

export function useCreateStaff() {
  const { client } = useApi();
  return useStaffMutation((body: CreateStaff) => client.staff.create({ body }));
}

export function useUpdateStaff() {
  const { client } = useApi();
  return useStaffMutation(({ id, body }: { id: string; body: UpdateStaff }) =>
    client.staff.update({ params: { id }, body }),
  );
}

export function useDepartStaff() {
  const { client } = useApi();
  return useStaffMutation((id: string) => client.staff.depart({ params: { id }, body: {} }));
}

export function useReinstateStaff() {
  const { client } = useApi();
  return useStaffMutation((id: string) => client.staff.reinstate({ params: { id } }));
}
