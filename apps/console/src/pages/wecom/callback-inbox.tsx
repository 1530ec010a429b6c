import type { WeComCallback } from '@pond/contracts';
import { App, Button, Card, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useRetryCallback, useWeComCallbacks, useWeComRejections } from '../../api/use-wecom.ts';
import { errorText } from '../../components/api-error.ts';
import { formatTime } from '../../components/format.ts';
import { LoadMore } from '../../components/load-more.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

const STATUS_COLOR: Record<WeComCallback['status'], string> = {
  pending: 'default',
  processing: 'processing',
  processed: 'success',
  retrying: 'warning',
  failed: 'error',
  ignored: 'default',
};
const STATUSES = Object.keys(STATUS_COLOR) as WeComCallback['status'][];

/** Accepted callbacks with their processing state; failed ones can be processed again. */
export function CallbackInbox({ lastReceivedAt }: { lastReceivedAt: number | null }) {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const [status, setStatus] = useState<WeComCallback['status'] | undefined>();
  const list = useWeComCallbacks(status);
  const retry = useRetryCallback();
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <Card
      title={t('wecom.inbox.title')}
      extra={
        <Space>
          {lastReceivedAt ? (
            <Typography.Text type="secondary">
              {t('wecom.inbox.lastReceived', { at: formatTime(lastReceivedAt, language) })}
            </Typography.Text>
          ) : null}
          <Select
            allowClear
            placeholder={t('wecom.inbox.all')}
            style={{ width: 140 }}
            value={status}
            onChange={setStatus}
            options={STATUSES.map((s) => ({ value: s, label: t(`wecom.cbStatus.${s}`) }))}
          />
        </Space>
      }
    >
      <Typography.Paragraph type="secondary">{t('wecom.inbox.intro')}</Typography.Paragraph>
      <Table<WeComCallback>
        rowKey="id"
        size="small"
        loading={list.isPending}
        dataSource={rows}
        pagination={false}
        locale={{ emptyText: t('wecom.inbox.empty') }}
        expandable={{
          expandedRowRender: (r) => (
            <pre style={{ whiteSpace: 'pre-wrap', margin: 0, fontSize: 12 }}>{r.payload}</pre>
          ),
        }}
        columns={[
          {
            title: t('wecom.inbox.receivedAt'),
            dataIndex: 'receivedAt',
            render: (at: number) => formatTime(at, language),
          },
          {
            title: t('wecom.inbox.event'),
            key: 'event',
            render: (_: unknown, r) => (
              <code>
                {r.event} · {r.changeType}
              </code>
            ),
          },
          {
            title: t('wecom.inbox.status'),
            dataIndex: 'status',
            render: (s: WeComCallback['status']) => (
              <Tag color={STATUS_COLOR[s]}>{t(`wecom.cbStatus.${s}`)}</Tag>
            ),
          },
          { title: t('wecom.inbox.attempts'), dataIndex: 'attempts' },
          { title: t('wecom.inbox.duplicates'), dataIndex: 'duplicates' },
          {
            title: t('wecom.inbox.error'),
            key: 'error',
            render: (_: unknown, r) => (
              <Space direction="vertical" size={0}>
                {r.lastError ? (
                  <Typography.Text type={r.status === 'failed' ? 'danger' : 'secondary'}>
                    {r.lastError}
                  </Typography.Text>
                ) : null}
                {r.nextAttemptAt ? (
                  <Typography.Text type="secondary">
                    {t('wecom.inbox.nextAttempt', { at: formatTime(r.nextAttemptAt, language) })}
                  </Typography.Text>
                ) : null}
              </Space>
            ),
          },
          {
            key: 'actions',
            render: (_: unknown, r) =>
              r.status === 'failed' ? (
                <Button
                  size="small"
                  loading={retry.isPending && retry.variables === r.id}
                  onClick={() =>
                    retry.mutate(r.id, {
                      onSuccess: () => message.success(t('wecom.inbox.retried')),
                      onError: (e) => message.error(errorText(e)),
                    })
                  }
                >
                  {t('wecom.inbox.retry')}
                </Button>
              ) : null,
          },
        ]}
      />
      <LoadMore list={list} />
    </Card>
  );
}

/** Requests refused before they were accepted, with why. */
export function RejectionList() {
  const { t, language } = useI18n();
  const list = useWeComRejections();
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <Card title={t('wecom.rejections.title')}>
      <Typography.Paragraph type="secondary">{t('wecom.rejections.intro')}</Typography.Paragraph>
      <Table
        rowKey="id"
        size="small"
        loading={list.isPending}
        dataSource={rows}
        pagination={false}
        locale={{ emptyText: t('wecom.rejections.empty') }}
        columns={[
          {
            title: t('wecom.inbox.receivedAt'),
            dataIndex: 'receivedAt',
            render: (at: number) => formatTime(at, language),
          },
          {
            title: t('wecom.rejections.reason'),
            dataIndex: 'reason',
            render: (r: string) => <Tag color="red">{r}</Tag>,
          },
          { title: t('wecom.rejections.detail'), dataIndex: 'detail' },
          { title: t('wecom.rejections.ip'), dataIndex: 'ip' },
        ]}
      />
      <LoadMore list={list} />
    </Card>
  );
}
