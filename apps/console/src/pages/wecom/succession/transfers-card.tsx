import type { Transfer, TransferItem, TransferItemStatus } from '@pond/contracts';
import { App, Button, Card, Drawer, Progress, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { useRetryTransfer, useTransfer, useTransfers } from '../../../api/use-wecom-succession.ts';
import { errorText } from '../../../components/api-error.ts';
import { formatTime } from '../../../components/format.ts';
import { LoadMore } from '../../../components/load-more.tsx';
import { useI18n } from '../../../i18n/i18n.tsx';

export const ITEM_COLOR: Record<TransferItemStatus, string> = {
  queued: 'default',
  waiting: 'blue',
  taken_over: 'green',
  refused: 'orange',
  limit_exceeded: 'orange',
  failed: 'red',
};
const RETRYABLE: TransferItemStatus[] = ['failed', 'refused', 'limit_exceeded'];

function Counts({ counts }: { counts: Transfer['counts'] }) {
  const { t } = useI18n();
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const settled = total - counts.queued - counts.waiting;
  return (
    <Space direction="vertical" size={2} style={{ minWidth: 220 }}>
      <Progress
        percent={total ? Math.round((settled / total) * 100) : 0}
        success={{ percent: total ? Math.round((counts.taken_over / total) * 100) : 0 }}
        size="small"
      />
      <Space wrap size={4}>
        {(Object.keys(ITEM_COLOR) as TransferItemStatus[])
          .filter((s) => counts[s] > 0)
          .map((s) => (
            <Tag key={s} color={ITEM_COLOR[s]}>
              {t(`sc.item.${s}`)} {counts[s]}
            </Tag>
          ))}
      </Space>
    </Space>
  );
}

/** Transfers with their progress; one opens with each customer's and group's outcome and retries. */
export function TransfersCard() {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const transfers = useTransfers();
  const [shown, setShown] = useState<string | null>(null);
  const detail = useTransfer(shown);
  const retry = useRetryTransfer();
  const rows = transfers.data?.pages.flatMap((p) => p.data) ?? [];
  const doRetry = (id: string, itemIds?: number[]) =>
    retry.mutate(
      { id, ...(itemIds ? { itemIds } : {}) },
      { onSuccess: () => message.success(t('sc.retried')), onError: (e) => message.error(errorText(e)) },
    );
  const d = detail.data;

  return (
    <Card title={t('sc.transfers')}>
      <Table<Transfer>
        rowKey="id"
        loading={transfers.isPending}
        dataSource={rows}
        pagination={false}
        locale={{ emptyText: t('sc.noTransfers') }}
        columns={[
          {
            title: t('sc.createdAt'),
            dataIndex: 'createdAt',
            render: (at: number) => formatTime(at, language),
          },
          { title: '', dataIndex: 'kind', render: (k: Transfer['kind']) => t(`sc.kind.${k}`) },
          {
            title: `${t('sc.handover')} → ${t('sc.takeover')}`,
            key: 'who',
            render: (_: unknown, r) => `${r.handover?.name ?? r.handoverUserId} → ${r.takeover.name}`,
          },
          {
            title: t('sc.progress'),
            key: 'progress',
            render: (_: unknown, r) => <Counts counts={r.counts} />,
          },
          {
            title: '',
            dataIndex: 'status',
            render: (s: Transfer['status']) => (
              <Tag color={s === 'running' ? 'processing' : 'default'}>{t(`sc.status.${s}`)}</Tag>
            ),
          },
          {
            key: 'actions',
            render: (_: unknown, r) => (
              <Space>
                <Button size="small" onClick={() => setShown(r.id)}>
                  {t('sc.detail')}
                </Button>
                {RETRYABLE.some((s) => r.counts[s] > 0) ? (
                  <Button size="small" onClick={() => doRetry(r.id)} loading={retry.isPending}>
                    {t('sc.retryAll')}
                  </Button>
                ) : null}
              </Space>
            ),
          },
        ]}
      />
      <LoadMore list={transfers} />
      <Drawer open={shown !== null} onClose={() => setShown(null)} width={820} title={t('sc.detail')}>
        {d ? (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Typography.Text>
              {t(`sc.kind.${d.kind}`)} · {d.handover?.name ?? d.handoverUserId} → {d.takeover.name}
            </Typography.Text>
            <Counts counts={d.counts} />
            {d.nextCheckAt ? (
              <Typography.Text type="secondary">
                {t('sc.nextCheck', { at: formatTime(d.nextCheckAt, language) })}
              </Typography.Text>
            ) : null}
            <Table<TransferItem>
              rowKey="id"
              size="small"
              dataSource={d.items}
              pagination={{ pageSize: 20, hideOnSinglePage: true }}
              columns={[
                {
                  title: t('sc.target'),
                  key: 'target',
                  render: (_: unknown, i) =>
                    i.customer ? (
                      <Link to={`/customers/${i.customer.id}`}>{i.customer.name ?? i.customer.id}</Link>
                    ) : (
                      <Space>
                        {i.target === 'group' ? <Tag>{t('sc.group')}</Tag> : null}
                        <code>{i.wecomId}</code>
                      </Space>
                    ),
                },
                {
                  title: t('sc.progress'),
                  dataIndex: 'status',
                  render: (s: TransferItemStatus) => <Tag color={ITEM_COLOR[s]}>{t(`sc.item.${s}`)}</Tag>,
                },
                {
                  title: t('sc.error'),
                  key: 'error',
                  // Refusals and limits are said by the status; WeCom's own words explain failures.
                  render: (_: unknown, i) => (i.status === 'failed' ? i.error : null),
                },
                {
                  title: t('sc.takeoverAt'),
                  dataIndex: 'takeoverAt',
                  render: (at: number | null) => (at ? formatTime(at, language) : ''),
                },
                { title: t('sc.attempts'), dataIndex: 'attempts', width: 70 },
                {
                  key: 'retry',
                  render: (_: unknown, i) =>
                    RETRYABLE.includes(i.status) ? (
                      <Button size="small" onClick={() => doRetry(d.id, [i.id])}>
                        {t('sc.retry')}
                      </Button>
                    ) : null,
                },
              ]}
            />
          </Space>
        ) : null}
      </Drawer>
    </Card>
  );
}
