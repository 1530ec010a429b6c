import type { CustomerTag } from '@pond/contracts';
import { App, Button, Card, DatePicker, Empty, Select, Space, Tag, Tooltip } from 'antd';
import { useState } from 'react';
import { useCustomerTags, useTagCustomer, useTagGroups } from '../../api/use-tags.ts';
import { errorText } from '../../components/api-error.ts';
import { usePermissions } from '../../components/app-layout.tsx';
import { formatTime } from '../../components/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';

/** The customer's tags, each saying who or what put it on and until when; add and remove here. */
export function CustomerTagsCard({ customerId, active }: { customerId: string; active: boolean }) {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const canWrite = usePermissions().has('customers.write') && active;
  const tags = useCustomerTags(customerId);
  const groups = useTagGroups();
  const change = useTagCustomer(customerId);
  const [picked, setPicked] = useState<string[]>([]);
  const [until, setUntil] = useState<number | undefined>();
  const held = new Set((tags.data ?? []).map((x) => x.tagId));
  const options = (groups.data ?? [])
    .map((g) => ({
      label: g.name,
      title: g.name,
      options: g.tags
        .filter((x) => !x.archivedAt && !held.has(x.id))
        .map((x) => ({ value: x.id, label: x.name })),
    }))
    .filter((g) => g.options.length > 0);
  const origin = (x: CustomerTag) =>
    [
      `${t(`tags.source.${x.source}`)}${x.sourceName ? ` · ${x.sourceName}` : ''}`,
      formatTime(x.createdAt, language),
      x.expiresAt ? `${t('tags.until')} ${formatTime(x.expiresAt, language)}` : null,
    ]
      .filter(Boolean)
      .join(' · ');
  const act = (p: Promise<unknown>) => p.catch((e: unknown) => message.error(errorText(e)));
  return (
    <Card title={t('tags.onCustomer')} style={{ marginBottom: 16 }} loading={tags.isPending}>
      {(tags.data ?? []).length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('tags.noneOnCustomer')} />
      ) : (
        <Space wrap style={{ marginBottom: canWrite ? 12 : 0 }}>
          {(tags.data ?? []).map((x) => (
            <Tooltip key={x.tagId} title={origin(x)}>
              <Tag
                color={x.color}
                closable={canWrite}
                onClose={(e) => {
                  e.preventDefault();
                  void act(change.mutateAsync({ remove: [x.tagId] }));
                }}
              >
                {x.groupName}：{x.name}
              </Tag>
            </Tooltip>
          ))}
        </Space>
      )}
      {canWrite ? (
        <Space.Compact style={{ width: '100%' }}>
          <Select
            mode="multiple"
            aria-label={t('tags.pick')}
            placeholder={t('tags.pick')}
            style={{ flex: 1 }}
            value={picked}
            onChange={setPicked}
            options={options}
            optionFilterProp="label"
          />
          <DatePicker
            showTime
            placeholder={t('tags.until')}
            onChange={(d) => setUntil(d ? d.valueOf() : undefined)}
          />
          <Button
            type="primary"
            disabled={picked.length === 0}
            loading={change.isPending}
            onClick={() =>
              act(
                change.mutateAsync({ add: picked, ...(until ? { expiresAt: until } : {}) }).then(() => {
                  setPicked([]);
                }),
              )
            }
          >
            {t('tags.add')}
          </Button>
        </Space.Compact>
      ) : null}
    </Card>
  );
}
