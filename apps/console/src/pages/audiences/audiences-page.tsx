import { PlusOutlined } from '@ant-design/icons';
import type { Audience } from '@pond/contracts';
import { Button, Card, Empty, Space, Switch, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useAudienceTrends, useSavedAudiences } from '../../api/use-audiences.ts';
import { formatTime } from '../../components/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { OverlapModal } from './overlap-modal.tsx';
import { Sparkline } from './sparkline.tsx';

const TREND_DAYS = 30;
const DAY = 86_400_000;

/** Saved audiences with their sizes and 30-day trends; a row opens the audience. */
export function AudiencesPage() {
  const { t, language } = useI18n();
  const navigate = useNavigate();
  const audiences = useSavedAudiences();
  const trends = useAudienceTrends(TREND_DAYS);
  const [selected, setSelected] = useState<string[]>([]);
  const [comparing, setComparing] = useState(false);
  const [showArchived, setShowArchived] = useState(false);
  const trendOf = new Map((trends.data?.data ?? []).map((x) => [x.audienceId, x.sizes]));
  const rows = (audiences.data ?? []).filter((a) => showArchived || a.archivedAt === null);
  return (
    <Card
      title={t('audiences.saved')}
      extra={
        <Space>
          <Space size={6}>
            <Switch
              size="small"
              checked={showArchived}
              onChange={setShowArchived}
              aria-label={t('audiences.showArchived')}
            />
            <Typography.Text>{t('audiences.showArchived')}</Typography.Text>
          </Space>
          <Button disabled={selected.length < 2 || selected.length > 5} onClick={() => setComparing(true)}>
            {t('audiences.compare')}
          </Button>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/audiences/new')}>
            {t('audiences.new')}
          </Button>
        </Space>
      }
    >
      <Table<Audience>
        rowKey="id"
        loading={audiences.isPending}
        dataSource={rows}
        pagination={rows.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
        locale={{ emptyText: <Empty description={t('audiences.none')} /> }}
        rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys as string[]) }}
        onRow={(a) => ({
          onClick: (e) => {
            // Ticking a row's box selects it for comparing; anywhere else opens the audience.
            if ((e.target as HTMLElement).closest('.ant-table-selection-column')) return;
            navigate(`/audiences/${a.id}`);
          },
          style: { cursor: 'pointer' },
        })}
        columns={[
          {
            title: t('common.name'),
            dataIndex: 'name',
            render: (name: string, a) => (
              <Space size={6}>
                {name}
                {a.archivedAt !== null ? <Tag>{t('audiences.archived')}</Tag> : null}
              </Space>
            ),
          },
          {
            title: t('audiences.kind'),
            dataIndex: 'kind',
            render: (k: Audience['kind']) => (
              <Tag color={k === 'dynamic' ? 'green' : 'default'}>{t(`audiences.kind.${k}`)}</Tag>
            ),
          },
          { title: t('audiences.size'), dataIndex: 'size', align: 'right' },
          {
            title: t('audiences.trend'),
            key: 'trend',
            render: (_, a) => {
              // From the day the audience was created: the days before it are no trend.
              const from = trends.data?.from ?? 0;
              const born = Math.max(0, Math.floor((a.createdAt - from) / DAY));
              const sizes = (trendOf.get(a.id) ?? []).slice(born);
              const label = t('audiences.trendLabel', {
                name: a.name,
                days: TREND_DAYS,
                from: sizes[0] ?? 0,
                to: sizes[sizes.length - 1] ?? a.size,
              });
              return <Sparkline values={sizes} label={label} />;
            },
          },
          {
            title: t('audiences.refreshed'),
            dataIndex: 'refreshedAt',
            render: (at: number | null) => (at ? formatTime(at, language) : '—'),
          },
          {
            title: t('common.createdAt'),
            dataIndex: 'createdAt',
            render: (at: number) => formatTime(at, language),
          },
        ]}
      />
      <OverlapModal ids={selected} open={comparing} onClose={() => setComparing(false)} />
    </Card>
  );
}
