import type { AuditEntry } from '@pond/contracts';
import { Button, Card, DatePicker, Input, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { type AuditFilters, useAuditLog } from '../../api/use-audit.ts';
import { formatTime } from '../../components/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';

function DiffTable({ entry }: { entry: AuditEntry }) {
  const { t } = useI18n();
  const rows = Object.entries(entry.diff).map(([field, [before, after]]) => ({ field, before, after }));
  if (rows.length === 0) return <Typography.Text type="secondary">{t('audit.noChanges')}</Typography.Text>;
  const show = (v: unknown) =>
    v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v);
  return (
    <Table
      size="small"
      rowKey="field"
      pagination={false}
      dataSource={rows}
      columns={[
        { title: t('audit.field'), dataIndex: 'field' },
        { title: t('audit.before'), dataIndex: 'before', render: show },
        { title: t('audit.after'), dataIndex: 'after', render: show },
      ]}
    />
  );
}

export function AuditPage() {
  const { t, language } = useI18n();
  const [filters, setFilters] = useState<AuditFilters>({});
  const log = useAuditLog(filters);
  const rows = log.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <Card title={t('audit.title')}>
      <Space style={{ marginBottom: 16 }} wrap>
        <Input.Search
          allowClear
          placeholder={t('audit.filterAction')}
          style={{ width: 240 }}
          onSearch={(action) => setFilters((f) => ({ ...f, action: action || undefined }))}
        />
        <Input.Search
          allowClear
          placeholder={t('audit.filterTarget')}
          style={{ width: 240 }}
          onSearch={(targetId) => setFilters((f) => ({ ...f, targetId: targetId || undefined }))}
        />
        <DatePicker.RangePicker
          showTime
          onChange={(range) =>
            setFilters((f) => ({
              ...f,
              since: range?.[0]?.valueOf() ?? undefined,
              until: range?.[1]?.valueOf() ?? undefined,
            }))
          }
        />
      </Space>
      <Table<AuditEntry>
        rowKey="id"
        loading={log.isPending}
        dataSource={rows}
        pagination={false}
        expandable={{ expandedRowRender: (entry) => <DiffTable entry={entry} /> }}
        columns={[
          { title: t('audit.time'), dataIndex: 'at', render: (at: number) => formatTime(at, language) },
          { title: t('audit.actor'), key: 'actor', render: (_: unknown, e: AuditEntry) => e.actor.name },
          { title: t('audit.action'), dataIndex: 'action', render: (a: string) => <code>{a}</code> },
          {
            title: t('audit.target'),
            key: 'target',
            render: (_: unknown, e: AuditEntry) => `${e.target.type} ${e.target.id}`,
          },
          { title: t('audit.requestId'), dataIndex: 'requestId' },
        ]}
      />
      {log.hasNextPage ? (
        <Button
          block
          style={{ marginTop: 12 }}
          onClick={() => log.fetchNextPage()}
          loading={log.isFetchingNextPage}
        >
          {t('common.loadMore')}
        </Button>
      ) : null}
    </Card>
  );
}
