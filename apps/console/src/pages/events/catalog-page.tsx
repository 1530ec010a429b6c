import type { CatalogEntry } from '@pond/contracts';
import { Card, Table, Tag } from 'antd';
import { useCatalog } from '../../api/use-events.ts';
import { formatTime } from '../../components/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';

export function CatalogPage() {
  const { t, language } = useI18n();
  const catalog = useCatalog();
  return (
    <Card title={t('catalog.title')}>
      <Table<CatalogEntry>
        rowKey={(e) => `${e.type}:${e.name}`}
        loading={catalog.isPending}
        dataSource={catalog.data ?? []}
        pagination={{ pageSize: 50 }}
        columns={[
          { title: t('catalog.type'), dataIndex: 'type', render: (v: string) => <Tag>{v}</Tag> },
          { title: t('catalog.name'), dataIndex: 'name' },
          {
            title: t('catalog.properties'),
            dataIndex: 'properties',
            render: (props: Record<string, string[]>) =>
              Object.entries(props).map(([k, types]) => (
                <Tag key={k} color={types.filter((x) => x !== 'null').length > 1 ? 'red' : undefined}>
                  {k}: {types.join('|')}
                </Tag>
              )),
          },
          { title: t('catalog.volume'), dataIndex: 'volume' },
          {
            title: t('catalog.violations'),
            dataIndex: 'violations',
            render: (n: number) => (n > 0 ? <Tag color="red">{n}</Tag> : 0),
          },
          {
            title: t('catalog.lastSeen'),
            dataIndex: 'lastSeenAt',
            render: (at: number) => formatTime(at, language),
          },
        ]}
      />
    </Card>
  );
}
