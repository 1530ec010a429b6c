import type { Customer } from '@pond/contracts';
import { Button, Card, Empty, Input, Space, Table } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useCustomers } from '../../api/use-customers.ts';
import { usePermissions } from '../../components/app-layout.tsx';
import { formatTime } from '../../components/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { DemoOffer } from './demo-offer.tsx';

export function CustomersPage() {
  const { t, language } = useI18n();
  const navigate = useNavigate();
  const [q, setQ] = useState('');
  const list = useCustomers({ q: q || undefined });
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  const permissions = usePermissions();
  const canLoadDemo = permissions.has('users.write') && !q && !list.isPending && rows.length === 0;
  return (
    <Card
      title={t('customers.title')}
      extra={
        permissions.has('customers.export') ? (
          <Button href={`/api/v1/customers/export?format=csv${q ? `&q=${encodeURIComponent(q)}` : ''}`}>
            {t('customers.export')}
          </Button>
        ) : null
      }
    >
      {canLoadDemo ? <DemoOffer /> : null}
      <Space style={{ marginBottom: 16 }}>
        <Input.Search
          allowClear
          placeholder={t('customers.searchPlaceholder')}
          onSearch={setQ}
          style={{ width: 320 }}
        />
      </Space>
      <Table<Customer>
        rowKey="id"
        loading={list.isPending}
        dataSource={rows}
        pagination={false}
        onRow={(c) => ({ onClick: () => navigate(`/customers/${c.id}`), style: { cursor: 'pointer' } })}
        locale={{ emptyText: <Empty description={t('customers.empty')} /> }}
        columns={[
          {
            title: t('customers.name'),
            dataIndex: 'name',
            render: (n: string | null) => n ?? t('customers.unnamed'),
          },
          { title: t('customers.phone'), dataIndex: 'phone' },
          { title: t('customers.city'), dataIndex: 'city' },
          { title: t('customers.membership'), dataIndex: 'membershipLevel' },
          { title: t('customers.lifecycle'), dataIndex: 'lifecycleStage' },
          {
            title: t('customers.lastActive'),
            dataIndex: 'lastActiveAt',
            render: (at: number | null) => (at ? formatTime(at, language) : '—'),
          },
          {
            title: t('common.createdAt'),
            dataIndex: 'createdAt',
            render: (at: number) => formatTime(at, language),
          },
        ]}
      />
      {list.hasNextPage ? (
        <Button
          block
          style={{ marginTop: 12 }}
          onClick={() => list.fetchNextPage()}
          loading={list.isFetchingNextPage}
        >
          {t('common.loadMore')}
        </Button>
      ) : null}
    </Card>
  );
}
