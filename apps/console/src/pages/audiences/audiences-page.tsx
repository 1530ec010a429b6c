import { PlusOutlined } from '@ant-design/icons';
import type { Audience } from '@pond/contracts';
import { Button, Card, Empty, Table, Tag } from 'antd';
import { useNavigate } from 'react-router';
import { useSavedAudiences } from '../../api/use-audiences.ts';
import { formatTime } from '../../components/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';

/** Saved audiences with their sizes; a row opens its members in the customer list. */
export function AudiencesPage() {
  const { t, language } = useI18n();
  const navigate = useNavigate();
  const audiences = useSavedAudiences();
  return (
    <Card
      title={t('audiences.saved')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/audiences/new')}>
          {t('audiences.new')}
        </Button>
      }
    >
      <Table<Audience>
        rowKey="id"
        loading={audiences.isPending}
        dataSource={audiences.data ?? []}
        pagination={false}
        locale={{ emptyText: <Empty description={t('audiences.none')} /> }}
        onRow={(a) => ({
          onClick: () => navigate(`/customers?audienceId=${a.id}`),
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
    </Card>
  );
}
