import type { BulkTarget } from '@pond/contracts';
import { Alert, App, Button, Select, Space } from 'antd';
import { useState } from 'react';
import { useBulkTag, useTagGroups } from '../../api/use-tags.ts';
import { errorText } from '../../components/api-error.ts';
import { useI18n } from '../../i18n/i18n.tsx';

/** Tags or untags many customers — those selected, or an audience's members — and says how many changed. */
export function BulkTagBar({
  target,
  label,
  onDone,
}: {
  target: BulkTarget;
  label: string;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const groups = useTagGroups();
  const bulk = useBulkTag();
  const [tagId, setTagId] = useState<string | undefined>();
  const run = async (remove: boolean) => {
    if (!tagId) return;
    try {
      const r = await bulk.mutateAsync({ tagId, target, remove });
      message.success(t('tags.bulkDone', { changed: r.changed, unchanged: r.unchanged }));
      onDone();
    } catch (e) {
      message.error(errorText(e));
    }
  };
  return (
    <Alert
      style={{ marginBottom: 12 }}
      type="info"
      message={
        <Space wrap>
          {label}
          <Select
            aria-label={t('tags.pick')}
            placeholder={t('tags.pick')}
            style={{ width: 220 }}
            showSearch
            optionFilterProp="label"
            value={tagId}
            onChange={setTagId}
            options={(groups.data ?? []).map((g) => ({
              label: g.name,
              title: g.name,
              options: g.tags.filter((x) => !x.archivedAt).map((x) => ({ value: x.id, label: x.name })),
            }))}
          />
          <Button type="primary" disabled={!tagId} loading={bulk.isPending} onClick={() => run(false)}>
            {t('tags.bulk')}
          </Button>
          <Button disabled={!tagId} loading={bulk.isPending} onClick={() => run(true)}>
            {t('tags.bulkRemove')}
          </Button>
        </Space>
      }
    />
  );
}
