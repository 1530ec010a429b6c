import type { LiveCode, LiveCodeAdd } from '@pond/contracts';
import { Card, Col, Drawer, Image, Row, Segmented, Space, Statistic, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { useLiveCodeAdds, useLiveCodeStats } from '../../../api/use-wecom-live-codes.ts';
import { Chart } from '../../../components/chart.tsx';
import { formatTime } from '../../../components/format.ts';
import { LoadMore } from '../../../components/load-more.tsx';
import { useI18n } from '../../../i18n/i18n.tsx';
import { QR_PLACEHOLDER } from './qr-placeholder.ts';

const WELCOME_COLOR: Record<LiveCodeAdd['welcome'], string> = {
  sent: 'green',
  no_code: 'default',
  expired: 'orange',
  already_used: 'default',
  failed: 'red',
  not_configured: 'default',
};

const percent = (x: number | null) => (x === null ? '—' : `${Math.round(x * 100)}%`);

/** One live code: its QR code, adds and losses per day, retention, adds per staff member and each add. */
export function LiveCodeDetail({ code, onClose }: { code: LiveCode | null; onClose(): void }) {
  const { t, language } = useI18n();
  const [days, setDays] = useState(30);
  const stats = useLiveCodeStats(code?.id, days);
  const adds = useLiveCodeAdds(code?.id);
  const rows = adds.data?.pages.flatMap((p) => p.data) ?? [];
  const daily = stats.data?.days ?? [];
  const totals = stats.data?.totals;

  return (
    <Drawer open={code !== null} onClose={onClose} width={880} title={code?.name} destroyOnHidden>
      {code ? (
        <Space direction="vertical" size={16} style={{ width: '100%' }}>
          <Row gutter={16}>
            <Col xs={24} md={7}>
              <Card size="small" title={t('lc.qr')}>
                {code.qrCode ? (
                  <Space direction="vertical" align="center" style={{ width: '100%' }}>
                    <Image src={code.qrCode} alt={t('lc.qr')} width={160} fallback={QR_PLACEHOLDER} />
                    <a href={code.qrCode} target="_blank" rel="noreferrer" download>
                      {t('lc.download')}
                    </a>
                  </Space>
                ) : (
                  t('lc.noData')
                )}
                <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
                  state: <code>{code.state}</code>
                </Typography.Paragraph>
              </Card>
            </Col>
            <Col xs={24} md={17}>
              <Row gutter={[8, 8]}>
                {[
                  ['lc.total', totals?.adds ?? 0],
                  ['lc.lost', totals?.lost ?? 0],
                  ['lc.retained7', percent(totals?.retained7 ?? null)],
                  ['lc.retained30', percent(totals?.retained30 ?? null)],
                  ['lc.welcomeSent', totals?.welcomeSent ?? 0],
                  ['lc.welcomeFailed', totals?.welcomeFailed ?? 0],
                ].map(([label, value]) => (
                  <Col span={8} key={label}>
                    <Card size="small">
                      <Statistic title={t(label as 'lc.total')} value={value} loading={stats.isPending} />
                    </Card>
                  </Col>
                ))}
              </Row>
            </Col>
          </Row>
          <Card
            size="small"
            title={t('lc.chart')}
            extra={
              <Segmented
                value={days}
                onChange={(v) => setDays(Number(v))}
                options={[7, 30, 90].map((d) => ({ value: d, label: t('lc.days', { days: d }) }))}
              />
            }
          >
            <Chart
              label={t('lc.chart')}
              height={220}
              option={{
                tooltip: { trigger: 'axis' },
                legend: { top: 0 },
                grid: { left: 32, right: 40, top: 32, bottom: 24 },
                xAxis: { type: 'category', data: daily.map((d) => d.day.slice(5)) },
                yAxis: [
                  { type: 'value', minInterval: 1 },
                  { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
                ],
                series: [
                  { name: t('lc.adds'), type: 'bar', data: daily.map((d) => d.adds) },
                  { name: t('lc.deletions'), type: 'bar', data: daily.map((d) => d.deletions) },
                  {
                    name: t('lc.retained7'),
                    type: 'line',
                    yAxisIndex: 1,
                    connectNulls: false,
                    data: daily.map((d) => (d.retained7 === null ? null : Math.round(d.retained7 * 100))),
                  },
                  {
                    name: t('lc.retained30'),
                    type: 'line',
                    yAxisIndex: 1,
                    connectNulls: false,
                    data: daily.map((d) => (d.retained30 === null ? null : Math.round(d.retained30 * 100))),
                  },
                ],
              }}
            />
          </Card>
          <Card size="small" title={t('lc.byStaff')}>
            <Space wrap>
              {(stats.data?.byStaff ?? []).map((s) => (
                <Tag key={s.staffUserId}>
                  {s.name ?? s.staffUserId}: {s.adds}
                </Tag>
              ))}
              {stats.data?.byStaff.length === 0 ? t('lc.noData') : null}
            </Space>
          </Card>
          <Card size="small" title={t('lc.addsList')}>
            <Table<LiveCodeAdd>
              rowKey="id"
              size="small"
              loading={adds.isPending}
              dataSource={rows}
              pagination={false}
              locale={{ emptyText: t('lc.noData') }}
              columns={[
                {
                  title: t('lc.addedAt'),
                  dataIndex: 'addedAt',
                  render: (at: number) => formatTime(at, language),
                },
                {
                  title: t('lc.customer'),
                  key: 'customer',
                  render: (_: unknown, a) =>
                    a.customer ? (
                      <Link to={`/customers/${a.customer.id}`}>{a.customer.name ?? a.customer.id}</Link>
                    ) : (
                      <code>{a.externalUserId}</code>
                    ),
                },
                {
                  title: t('lc.staff'),
                  key: 'staff',
                  render: (_: unknown, a) => a.staffName ?? a.staffUserId,
                },
                {
                  title: t('lc.welcomeStatus'),
                  key: 'welcome',
                  render: (_: unknown, a) => (
                    <Space direction="vertical" size={0}>
                      <Tag color={WELCOME_COLOR[a.welcome]}>{t(`lc.w.${a.welcome}`)}</Tag>
                      {a.welcomeError ? (
                        <Typography.Text type="secondary">{a.welcomeError}</Typography.Text>
                      ) : null}
                    </Space>
                  ),
                },
                {
                  title: t('lc.lost'),
                  dataIndex: 'lostAt',
                  render: (at: number | null) =>
                    at ? <Tag color="red">{t('lc.lostAt', { at: formatTime(at, language) })}</Tag> : null,
                },
              ]}
            />
            <LoadMore list={adds} />
          </Card>
        </Space>
      ) : null}
    </Drawer>
  );
}
