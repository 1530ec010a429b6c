import type { Customer } from '@pond/contracts';
import { Alert, Button, Card, Empty, Space, Table } from 'antd';
import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useAttributes } from '../../api/use-attributes.ts';
import { useSavedAudience } from '../../api/use-audiences.ts';
import { type CustomerFilters as Filters, useCustomers } from '../../api/use-customers.ts';
import { usePermissions } from '../../components/app-layout.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { BulkTagBar } from './bulk-tag-bar.tsx';
import { ColumnChooser, useColumnChoice, useCustomerColumns } from './customer-columns.tsx';
import { CustomerFilters } from './customer-filters.tsx';
import { DemoOffer } from './demo-offer.tsx';

/** The export link carries the same filters as the list on screen. */
function exportHref(filters: Filters): string {
  const params = new URLSearchParams({ format: 'csv' });
  for (const [k, v] of Object.entries(filters)) if (v !== undefined && v !== '') params.set(k, String(v));
  return `/api/v1/customers/export?${params}`;
}

export function CustomersPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const audienceId = params.get('audienceId') ?? undefined;
  const audience = useSavedAudience(audienceId);
  const [picked, setFilters] = useState<Filters>({});
  const filters: Filters = { ...picked, audienceId };
  const list = useCustomers(filters);
  const attributes = useAttributes().data ?? [];
  const [chosen, choose] = useColumnChoice();
  const [selected, setSelected] = useState<string[]>([]);
  const columns = useCustomerColumns(chosen, attributes);
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  const permissions = usePermissions();
  const filtered = Object.values(filters).some((v) => v !== undefined);
  const canLoadDemo = permissions.has('users.write') && !filtered && !list.isPending && rows.length === 0;
  return (
    <Card
      title={t('customers.title')}
      extra={
        <Space>
          <ColumnChooser chosen={chosen} onChange={choose} attributes={attributes} />
          {permissions.has('customers.export') ? (
            <Button href={exportHref(filters)}>{t('customers.export')}</Button>
          ) : null}
        </Space>
      }
    >
      {canLoadDemo ? <DemoOffer /> : null}
      {audienceId ? (
        <Alert
          style={{ marginBottom: 12 }}
          type="info"
          showIcon
          message={t('audiences.showing', {
            name: audience.data?.name ?? audienceId,
            size: audience.data?.size ?? '…',
          })}
          action={
            <Button size="small" type="link" onClick={() => navigate(`/audiences/${audienceId}`)}>
              {t('audiences.open')}
            </Button>
          }
          closable
          onClose={() => setParams({})}
        />
      ) : null}
      <CustomerFilters value={picked} onChange={setFilters} />
      {selected.length > 0 ? (
        <BulkTagBar
          target={{ customerIds: selected }}
          label={t('tags.selected', { n: selected.length })}
          onDone={() => setSelected([])}
        />
      ) : audienceId && permissions.has('customers.write') ? (
        <BulkTagBar target={{ audienceId }} label={t('tags.wholeAudience')} onDone={() => undefined} />
      ) : null}
      <Table<Customer>
        rowKey="id"
        loading={list.isPending}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 'max-content' }}
        rowSelection={
          permissions.has('customers.write')
            ? { selectedRowKeys: selected, onChange: (keys) => setSelected(keys as string[]) }
            : undefined
        }
        onRow={(c) => ({
          onClick: (e) => {
            // Ticking a row's box selects it; anywhere else opens the customer.
            if ((e.target as HTMLElement).closest('.ant-table-selection-column')) return;
            navigate(`/customers/${c.id}`);
          },
          style: { cursor: 'pointer' },
        })}
        locale={{
          emptyText: <Empty description={filtered ? t('customers.noMatch') : t('customers.empty')} />,
        }}
        columns={columns}
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
