import type { StartImport } from '@pond/contracts';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useApi } from './client.tsx';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function useUploadImport() {
  const { client } = useApi();
  return useMutation({
    mutationFn: async (file: File) =>
      client.upload(file.name, file, file.name.toLowerCase().endsWith('.xlsx') ? XLSX : 'text/csv'),
  });
}

export function useStartImport(id: string) {
  const { client } = useApi();
  return useMutation({ mutationFn: (body: StartImport) => client.imports.start({ params: { id }, body }) });
}

/** The import's progress, polled every second while it runs. */
export function useImport(id: string | null) {
  const { client } = useApi();
  return useQuery({
    queryKey: ['import', id],
    enabled: id !== null,
    queryFn: () => client.imports.get({ params: { id: id ?? '' } }),
    refetchInterval: (q) => (q.state.data?.status === 'running' ? 1000 : false),
  });
}

export function useImportErrors(id: string | null, enabled: boolean) {
  const { client } = useApi();
  return useQuery({
    queryKey: ['import-errors', id],
    enabled: enabled && id !== null,
    queryFn: () => client.imports.errors({ params: { id: id ?? '' }, query: { limit: 200 } }),
  });
}
