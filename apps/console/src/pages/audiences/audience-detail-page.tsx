import { EditOutlined, TeamOutlined } from '@ant-design/icons';
import type { Audience, AudienceDay, Rule } from '@pond/contracts';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Empty,
  Popconfirm,
  Row,
  Segmented,
  Space,
  Statistic,
  Tag,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import {
  useAudienceDependants,
  useAudienceSizes,
  useSavedAudience,
  useUpdateAudience,
} from '../../api/use-audiences.ts';
import { useOrgUnits } from '../../api/use-org-units.ts';
import { errorText } from '../../components/api-error.ts';
import { usePermissions } from '../../components/app-layout.tsx';
import { Chart, type ChartOption } from '../../components/chart.tsx';
import { formatTime } from '../../components/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { RuleOutline } from './rule-outline.tsx';

const RANGES = [30, 90, 180, 365] as const;

/** `2026-03-01` → `03-01`, in UTC (the days are UTC days). */
const dayLabel = (day: number) => new Date(day).toISOString().slice(5, 10);

function sizeChart(days: readonly AudienceDay[], labels: { size: string; entered: string; exited: string }) {
  const option: ChartOption = {
    tooltip: { trigger: 'axis' },
    legend: { top: 0, data: [labels.size, labels.entered, labels.exited] },
    grid: { left: 48, right: 48, top: 64, bottom: 32 },
    xAxis: { type: 'category', data: days.map((d) => dayLabel(d.day)) },
    yAxis: [
      { type: 'value', name: labels.size, minInterval: 1 },
      {
        type: 'value',
        name: `${labels.entered} / ${labels.exited}`,
        minInterval: 1,
        splitLine: { show: false },
      },
    ],
    series: [
      { name: labels.size, type: 'line', data: days.map((d) => d.size), showSymbol: days.length < 45 },
      {
        name: labels.entered,
        type: 'bar',
        yAxisIndex: 1,
        barMaxWidth: 16,
        data: days.map((d) => d.entered),
        itemStyle: { color: '#95de64' },
      },
      {
        name: labels.exited,
        type: 'bar',
        yAxisIndex: 1,
        barMaxWidth: 16,
        data: days.map((d) => d.exited),
        itemStyle: { color: '#ff9c6e' },
      },
    ],
  };
  return option;
}

/** One saved audience: its size over time, its rule, and editing, archiving and its members. */
export function AudienceDetailPage() {
  const { id = '' } = useParams();
  const audience = useSavedAudience(id);
  if (audience.error) return <Alert type="error" showIcon message={errorText(audience.error)} />;
  if (!audience.data) return <Card loading />;
  return <Detail audience={audience.data} />;
}

function Detail({ audience }: { audience: Audience }) {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const canChange = usePermissions().has('tags.manage');
  const [days, setDays] = useState<number>(30);
  const sizes = useAudienceSizes(audience.id, days);
  const update = useUpdateAudience();
  const units = useOrgUnits().data;
  const archived = audience.archivedAt !== null;
  const option = useMemo(
    () =>
      sizeChart(sizes.data?.days ?? [], {
        size: t('audiences.size'),
        entered: t('audiences.entered'),
        exited: t('audiences.exited'),
      }),
    [sizes.data, t],
  );
  const setArchived = async (value: boolean) => {
    try {
      await update.mutateAsync({ id: audience.id, body: { archived: value } });
      message.success(t('common.saved'));
    } catch (e) {
      message.error(errorText(e));
    }
  };
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card
        title={
          <Space>
            {audience.name}
            <Tag color={audience.kind === 'dynamic' ? 'green' : 'default'}>
              {t(`audiences.kind.${audience.kind}`)}
            </Tag>
            {archived ? <Tag>{t('audiences.archived')}</Tag> : null}
          </Space>
        }
        extra={
          <Space>
            <Button icon={<TeamOutlined />} onClick={() => navigate(`/customers?audienceId=${audience.id}`)}>
              {t('audiences.members')}
            </Button>
            {canChange && !archived ? (
              <Button icon={<EditOutlined />} onClick={() => navigate(`/audiences/${audience.id}/edit`)}>
                {t('common.edit')}
              </Button>
            ) : null}
            {canChange ? (
              <Popconfirm
                title={archived ? t('audiences.restore') : t('audiences.archive')}
                description={
                  archived ? undefined : <div style={{ maxWidth: 320 }}>{t('audiences.archiveConfirm')}</div>
                }
                okText={t('common.confirm')}
                cancelText={t('common.cancel')}
                onConfirm={() => setArchived(!archived)}
              >
                <Button loading={update.isPending}>
                  {archived ? t('audiences.restore') : t('audiences.archive')}
                </Button>
              </Popconfirm>
            ) : null}
          </Space>
        }
      >
        <Row gutter={16}>
          <Col span={6}>
            <Statistic title={t('audiences.sizeNow')} value={audience.size} />
          </Col>
          <Col span={9}>
            <Statistic
              title={t('audiences.refreshed')}
              value={audience.refreshedAt ? formatTime(audience.refreshedAt, language) : '—'}
            />
          </Col>
          <Col span={9}>
            <Statistic title={t('common.createdAt')} value={formatTime(audience.createdAt, language)} />
          </Col>
        </Row>
      </Card>
      <Card
        title={t('audiences.sizeChart')}
        extra={
          <Segmented
            value={days}
            onChange={(v) => setDays(Number(v))}
            options={RANGES.map((d) => ({ value: d, label: t('audiences.daysRange', { days: d }) }))}
          />
        }
      >
        {sizes.error ? <Alert type="error" showIcon message={errorText(sizes.error)} /> : null}
        {sizes.data && sizes.data.days.length === 0 ? (
          <Empty description={t('audiences.noHistory')} />
        ) : (
          <Chart
            option={option}
            label={t('audiences.sizeChartLabel', { name: audience.name })}
            height={300}
          />
        )}
        <Typography.Text type="secondary">{t('audiences.utcNote')}</Typography.Text>
      </Card>
      <Row gutter={16}>
        <Col xs={24} xl={15}>
          <Card title={t('audiences.rule')}>
            <RuleOutline rule={audience.rule as Rule} units={units ?? []} />
          </Card>
        </Col>
        <Col xs={24} xl={9}>
          <Dependants id={audience.id} />
        </Col>
      </Row>
    </Space>
  );
}

/** What names this audience in its rule (and so keeps it from being archived). */
function Dependants({ id }: { id: string }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const named = useAudienceDependants(id);
  const items = [
    ...(named.data?.audiences ?? []).map((a) => ({
      key: a.id,
      label: a.name,
      kind: t('audiences.saved'),
      archived: a.archived,
      to: `/audiences/${a.id}`,
    })),
    ...(named.data?.autoTagRules ?? []).map((r) => ({
      key: r.id,
      label: r.name,
      kind: t('menu.autoTags'),
      archived: false,
      to: '/tags/auto',
    })),
  ];
  return (
    <Card title={t('audiences.dependants')} loading={named.isPending}>
      {items.length === 0 ? (
        <Typography.Text type="secondary">{t('audiences.noDependants')}</Typography.Text>
      ) : (
        <Space direction="vertical">
          {items.map((x) => (
            <Space key={x.key} size={6}>
              <Tag>{x.kind}</Tag>
              <Typography.Link onClick={() => navigate(x.to)}>{x.label}</Typography.Link>
              {x.archived ? <Tag>{t('audiences.archived')}</Tag> : null}
            </Space>
          ))}
        </Space>
      )}
    </Card>
  );
}
