import type { LossAlert } from '@pond/contracts';
import { App, Button, Card, Col, Row, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import {
  type LossAlertFilters,
  useLossAlertSummary,
  useLossAlerts,
  useUpdateLossAlert,
} from '../../api/use-wecom.ts';
import { errorText } from '../../components/api-error.ts';
import { Chart } from '../../components/chart.tsx';
import { formatTime } from '../../components/format.ts';
import { LoadMore } from '../../components/load-more.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

const STATUS_COLOR: Record<LossAlert['status'], string> = {
  open: 'red',
  won_back: 'green',
  closed: 'default',
};

/** Customers lost from staff contacts, with the win-back task and a 30-day chart. */
export function LossAlertsPage() {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const [filters, setFilters] = useState<LossAlertFilters>({ status: 'open' });
  const alerts = useLossAlerts(filters);
  const summary = useLossAlertSummary();
  const update = useUpdateLossAlert();
  const rows = alerts.data?.pages.flatMap((p) => p.data) ?? [];
  const act = (id: string, body: Parameters<typeof update.mutate>[0]['body']) =>
    update.mutate({ id, body }, { onError: (e) => message.error(errorText(e)) });
  const daily = summary.data?.daily ?? [];

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Row gutter={16}>
        <Col xs={24} md={6}>
          <Card>
            <Statistic title={t('loss.open')} value={summary.data?.open ?? 0} loading={summary.isPending} />
          </Card>
        </Col>
        <Col xs={24} md={18}>
          <Card title={t('loss.chart')} size="small">
            <Chart
              label={t('loss.chart')}
              height={180}
              option={{
                tooltip: { trigger: 'axis' },
                legend: { top: 0 },
                grid: { left: 32, right: 16, top: 32, bottom: 24 },
                xAxis: { type: 'category', data: daily.map((d) => d.day.slice(5)) },
                yAxis: { type: 'value', minInterval: 1 },
                series: [
                  {
                    name: t('loss.byCustomer'),
                    type: 'bar',
                    stack: 'loss',
                    data: daily.map((d) => d.byCustomer),
                  },
                  { name: t('loss.byStaff'), type: 'bar', stack: 'loss', data: daily.map((d) => d.byStaff) },
                ],
              }}
            />
          </Card>
        </Col>
      </Row>
      <Card
        title={t('loss.title')}
        extra={
          <Space>
            <Select
              allowClear
              placeholder={t('loss.allStatus')}
              style={{ width: 130 }}
              value={filters.status}
              onChange={(status) => setFilters((f) => ({ ...f, status }))}
              options={(['open', 'won_back', 'closed'] as const).map((s) => ({
                value: s,
                label: t(`loss.status.${s}`),
              }))}
            />
            <Select
              allowClear
              placeholder={t('loss.allKinds')}
              style={{ width: 180 }}
              value={filters.kind}
              onChange={(kind) => setFilters((f) => ({ ...f, kind }))}
              options={(['deleted_by_customer', 'deleted_by_staff'] as const).map((k) => ({
                value: k,
                label: t(`loss.kind.${k}`),
              }))}
            />
          </Space>
        }
      >
        <Typography.Paragraph type="secondary">{t('loss.intro')}</Typography.Paragraph>
        <Table<LossAlert>
          rowKey="id"
          loading={alerts.isPending}
          dataSource={rows}
          pagination={false}
          locale={{ emptyText: t('loss.empty') }}
          columns={[
            {
              title: t('loss.occurredAt'),
              dataIndex: 'occurredAt',
              render: (at: number) => formatTime(at, language),
            },
            {
              title: t('loss.customer'),
              key: 'customer',
              render: (_: unknown, a) => (
                <Link to={`/customers/${a.customer.id}`}>{a.customer.name ?? a.customer.id}</Link>
              ),
            },
            {
              title: t('loss.staff'),
              key: 'staff',
              render: (_: unknown, a) => a.staff?.name ?? <code>{a.staffUserId}</code>,
            },
            { title: t('loss.kind'), key: 'kind', render: (_: unknown, a) => t(`loss.kind.${a.kind}`) },
            {
              title: t('loss.task'),
              key: 'task',
              render: (_: unknown, a) =>
                a.task.status === 'none' ? (
                  t('loss.task.none')
                ) : (
                  <Space direction="vertical" size={0}>
                    <span>
                      <Tag color={a.task.status === 'done' ? 'green' : 'orange'}>
                        {t(`loss.task.${a.task.status}`)}
                      </Tag>
                      {a.task.assignee?.name}
                    </span>
                    {a.task.dueAt && a.task.status === 'open' ? (
                      <Typography.Text type={a.task.dueAt < Date.now() ? 'danger' : 'secondary'}>
                        {t('loss.due', { at: formatTime(a.task.dueAt, language) })}
                      </Typography.Text>
                    ) : null}
                  </Space>
                ),
            },
            {
              title: t('loss.status'),
              dataIndex: 'status',
              render: (s: LossAlert['status']) => <Tag color={STATUS_COLOR[s]}>{t(`loss.status.${s}`)}</Tag>,
            },
            { title: t('loss.note'), dataIndex: 'note' },
            {
              key: 'actions',
              render: (_: unknown, a) => (
                <Space wrap>
                  {a.task.status === 'open' ? (
                    <Button size="small" onClick={() => act(a.id, { taskStatus: 'done' })}>
                      {t('loss.markDone')}
                    </Button>
                  ) : null}
                  {a.status === 'open' ? (
                    <>
                      <Button size="small" type="primary" onClick={() => act(a.id, { status: 'won_back' })}>
                        {t('loss.markWonBack')}
                      </Button>
                      <Button size="small" onClick={() => act(a.id, { status: 'closed' })}>
                        {t('loss.close')}
                      </Button>
                    </>
                  ) : (
                    <Button size="small" onClick={() => act(a.id, { status: 'open' })}>
                      {t('loss.reopen')}
                    </Button>
                  )}
                </Space>
              ),
            },
          ]}
        />
        <LoadMore list={alerts} />
      </Card>
    </Space>
  );
}
