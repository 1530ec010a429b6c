import type { DebuggerEntry } from '@pond/contracts';
import { Button, Card, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useDebugger } from '../../api/use-events.ts';
import { formatTime } from '../../components/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';

/** The newest messages as they arrive, accepted and rejected, refreshed every two seconds. */
export function DebuggerPage() {
  const { t, language } = useI18n();
  const [paused, setPaused] = useState(false);
  const feed = useDebugger(paused);
  return (
    <Card
      title={t('debugger.title')}
      extra={
        <Button onClick={() => setPaused((p) => !p)}>
          {paused ? t('debugger.resume') : t('debugger.pause')}
        </Button>
      }
    >
      <Table<DebuggerEntry>
        rowKey={(e) => `${e.status}-${e.id}`}
        size="small"
        loading={feed.isPending}
        dataSource={feed.data ?? []}
        pagination={false}
        columns={[
          {
            title: t('debugger.received'),
            dataIndex: 'receivedAt',
            render: (at: number) => formatTime(at, language),
          },
          {
            title: t('common.status'),
            dataIndex: 'status',
            render: (s: DebuggerEntry['status']) =>
              s === 'accepted' ? (
                <Tag color="green">{t('debugger.accepted')}</Tag>
              ) : (
                <Tag color="red">{t('debugger.rejected')}</Tag>
              ),
          },
          { title: t('catalog.type'), dataIndex: 'type' },
          { title: t('catalog.name'), dataIndex: 'name' },
          { title: 'messageId', dataIndex: 'messageId' },
          {
            title: t('debugger.reason'),
            key: 'reason',
            render: (_: unknown, e: DebuggerEntry) =>
              e.reason ? `${e.field ? `${e.field}: ` : ''}${e.reason}` : '',
          },
          {
            title: 'JSON',
            dataIndex: 'excerpt',
            render: (x: string | null) => (
              <Typography.Text code ellipsis={{ tooltip: x }} style={{ maxWidth: 280 }}>
                {x}
              </Typography.Text>
            ),
          },
        ]}
      />
    </Card>
  );
}
