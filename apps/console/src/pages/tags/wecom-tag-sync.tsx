import type { TagGroupWeComSync } from '@pond/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Space, Switch, Tooltip, Typography } from 'antd';
import { useApi } from '../../api/client.tsx';
import { errorText } from '../../components/api-error.ts';
import { useI18n } from '../../i18n/i18n.tsx';

/** The tenant's tag groups synced to WeCom, by group id. */
export function useWeComTagSync() {
  const { client } = useApi();
  return useQuery({
    queryKey: ['wecom-tag-sync'],
    queryFn: async () =>
      new Map<string, TagGroupWeComSync>((await client.wecomTagSync.list()).data.map((s) => [s.groupId, s])),
  });
}

/**
 * A tag group's "synced to WeCom" switch, with the last WeCom error met writing or marking
 * its tags (WeCom refuses edits to tags made in its admin console: 301002).
 */
export function WeComTagSyncSwitch({
  groupId,
  state,
  canManage,
}: {
  groupId: string;
  state: TagGroupWeComSync | undefined;
  canManage: boolean;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { client } = useApi();
  const queryClient = useQueryClient();
  const set = useMutation({
    mutationFn: (synced: boolean) => client.wecomTagSync.set({ params: { id: groupId }, body: { synced } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['wecom-tag-sync'] }),
    onError: (e: unknown) => message.error(errorText(e)),
  });
  return (
    <Space size={4}>
      <Tooltip title={state?.origin === 'wecom' ? t('tagSync.fromWeCom') : t('tagSync.hint')}>
        <Switch
          size="small"
          checked={Boolean(state)}
          disabled={!canManage || state?.origin === 'wecom'}
          loading={set.isPending}
          onChange={(on) => set.mutate(on)}
          aria-label={t('tagSync.label')}
        />
      </Tooltip>
      <Typography.Text type="secondary">{t('tagSync.label')}</Typography.Text>
      {state?.lastError ? (
        <Tooltip title={state.lastError}>
          <Typography.Text type="danger">{t('tagSync.error')}</Typography.Text>
        </Tooltip>
      ) : null}
    </Space>
  );
}
