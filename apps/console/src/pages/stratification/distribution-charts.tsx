import { LIFECYCLE_STAGES, type StratificationDistribution } from '@pond/contracts';
import { Card, Col, Empty, Row, Statistic } from 'antd';
import { useMemo } from 'react';
import { Chart, type ChartOption } from '../../components/chart.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { segmentKey, stageKey } from './labels.ts';

const STAGE_HEX = ['#13c2c2', '#52c41a', '#faad14', '#fa8c16', '#8c8c8c'];
const SCORES = [1, 2, 3, 4, 5];

/** Stages as bars, R/F/M score distributions, recency × frequency and the RFM segments. */
export function DistributionCharts({ d }: { d: StratificationDistribution }) {
  const { t } = useI18n();
  const options = useMemo(() => {
    const bars = (names: string[], values: number[], colors?: string[]): ChartOption => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 48, right: 16, top: 16, bottom: 32 },
      xAxis: { type: 'category', data: names },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          type: 'bar',
          name: t('stratification.customers'),
          data: values.map((value, i) => ({ value, itemStyle: colors ? { color: colors[i] } : undefined })),
          label: { show: true, position: 'top' },
        },
      ],
    });
    const scoreNames = SCORES.map((score) => t('stratification.score', { score }));
    return {
      stages: bars(
        LIFECYCLE_STAGES.map((s) => t(stageKey(s))),
        LIFECYCLE_STAGES.map((s) => d.lifecycle.find((x) => x.stage === s)?.count ?? 0),
        STAGE_HEX,
      ),
      scores: {
        tooltip: { trigger: 'axis' },
        legend: { top: 0 },
        grid: { left: 48, right: 16, top: 32, bottom: 32 },
        xAxis: { type: 'category', data: scoreNames },
        yAxis: { type: 'value', minInterval: 1 },
        series: (['recency', 'frequency', 'monetary'] as const).map((m) => ({
          type: 'bar',
          name: t(`stratification.${m}`),
          data: d[m].map((x) => x.count),
        })),
      } satisfies ChartOption,
      rf: {
        tooltip: { trigger: 'axis' },
        legend: { top: 0 },
        grid: { left: 48, right: 16, top: 32, bottom: 48 },
        xAxis: {
          type: 'category',
          name: t('stratification.recency'),
          nameLocation: 'middle',
          nameGap: 28,
          data: scoreNames,
        },
        yAxis: { type: 'value', minInterval: 1 },
        series: SCORES.map((f) => ({
          type: 'bar',
          stack: 'f',
          name: `F${f}`,
          data: SCORES.map((r) => d.rf.find((c) => c.r === r && c.f === f)?.count ?? 0),
        })),
      } satisfies ChartOption,
      segments: {
        tooltip: { trigger: 'axis' },
        grid: { left: 150, right: 40, top: 8, bottom: 24 },
        xAxis: { type: 'value', minInterval: 1 },
        yAxis: { type: 'category', data: d.segments.map((s) => t(segmentKey(s.segment))), inverse: true },
        series: [
          {
            type: 'bar',
            name: t('stratification.customers'),
            data: d.segments.map((s) => s.count),
            label: { show: true, position: 'right' },
          },
        ],
      } satisfies ChartOption,
    };
  }, [d, t]);

  if (d.total === 0) return <Empty description={t('stratification.noCustomers')} />;
  const scored = d.total - d.unscored > 0;
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={12}>
        <Card title={t('stratification.lifecycleChart')} size="small">
          <Row gutter={16} style={{ marginBottom: 8 }}>
            <Col span={12}>
              <Statistic title={t('stratification.total')} value={d.total} />
            </Col>
            <Col span={12}>
              <Statistic title={t('stratification.unstaged')} value={d.unstaged} />
            </Col>
          </Row>
          <Chart option={options.stages} label={t('stratification.lifecycleChart')} />
        </Card>
      </Col>
      <Col xs={24} xl={12}>
        <Card title={t('stratification.segmentsChart')} size="small">
          <Statistic title={t('stratification.unscored')} value={d.unscored} style={{ marginBottom: 8 }} />
          {scored ? (
            <Chart option={options.segments} label={t('stratification.segmentsChart')} />
          ) : (
            <Empty description={t('stratification.noOrders')} />
          )}
        </Card>
      </Col>
      {scored ? (
        <>
          <Col xs={24} xl={12}>
            <Card title={t('stratification.scoresChart')} size="small">
              <Chart option={options.scores} label={t('stratification.scoresChart')} />
            </Card>
          </Col>
          <Col xs={24} xl={12}>
            <Card title={t('stratification.rfChart')} size="small">
              <Chart option={options.rf} label={t('stratification.rfChart')} />
            </Card>
          </Col>
        </>
      ) : null}
    </Row>
  );
}
