import { PlusOutlined } from '@ant-design/icons';
import type { Audience } from '@pond/contracts';
import { Button, Card, Empty, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useSavedAudiences } from '../../api/use-audiences.ts';
import { formatTime } from '../../components/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { OverlapModal } from './overlap-modal.tsx';

/** Saved audiences with their sizes; a row opens its members in the customer list. */
export function AudiencesPage() {
  const { t, language } = useI18n();
  const navigate = useNavigate();
  const audiences = useSavedAudiences();
  const [selected, setSelected] = useState<string[]>([]);
  const [comparing, setComparing] = useState(false);
  return (
    <Card
      title={t('audiences.saved')}
      extra={
        <Space>
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
        dataSource={audiences.data ?? []}
        pagination={false}
        locale={{ emptyText: <Empty description={t('audiences.none')} /> }}
        rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys as string[]) }}
        onRow={(a) => ({
          onClick: (e) => {
            // Ticking a row's box selects it for comparing; anywhere else opens its members.
            if ((e.target as HTMLElement).closest('.ant-table-selection-column')) return;
            navigate(`/customers?audienceId=${a.id}`);
          },
          style: { cursor: 'pointer' },
        })}
        columns={[
          { title: t('common.name'), dataIndex: 'name' },
          {
            title: t('audiences.kind'),
            dataIndex: 'kind',
            render: (k: Audience['kind']) => (
              <Tag color={k === 'dynamic' ? 'green' : 'default'}>{t(`audiences.kind.${k}`)}</Tag>
            ),
          },
          { title: t('audiences.size'), dataIndex: 'size' },
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
