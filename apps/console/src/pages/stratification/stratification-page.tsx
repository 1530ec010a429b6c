import { ReloadOutlined } from '@ant-design/icons';
import type { StratificationRun } from '@pond/contracts';
import { Alert, App, Button, Card, Col, Progress, Row, Space, Spin, Typography } from 'antd';
import { useEffect } from 'react';
import {
  useRecomputeStratification,
  useStratification,
  useStratificationDistribution,
} from '../../api/use-stratification.ts';
import { errorText } from '../../components/api-error.ts';
import { usePermissions } from '../../components/app-layout.tsx';
import { formatTime } from '../../components/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { DistributionCharts } from './distribution-charts.tsx';
import { LifecycleForm, RfmForm } from './model-forms.tsx';

function RunStatus({ run }: { run: StratificationRun }) {
  const { t, language } = useI18n();
  if (run.status === 'queued' || run.status === 'running') {
    const percent = run.total > 0 ? Math.floor((run.processed / run.total) * 100) : 0;
    return (
      <Space direction="vertical" style={{ width: '100%' }}>
        <Typography.Text>
          {run.status === 'queued'
            ? t('stratification.run.queued')
            : t('stratification.run.running', { processed: run.processed, total: run.total })}
        </Typography.Text>
        <Progress percent={percent} status="active" aria-label={t('stratification.recompute')} />
      </Space>
    );
  }
  const text =
    run.status === 'done'
      ? t('stratification.run.done', { at: formatTime(run.finishedAt ?? 0, language), changed: run.changed })
      : t(`stratification.run.${run.status}`);
  return <Typography.Text type={run.status === 'failed' ? 'danger' : 'secondary'}>{text}</Typography.Text>;
}

/** Lifecycle rules and RFM bins, with how customers spread over them. */
export function StratificationPage() {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const canEdit = usePermissions().has('customers.configure');
  const model = useStratification();
  const live = model.data?.run?.status === 'queued' || model.data?.run?.status === 'running';
  const distribution = useStratificationDistribution(live);
  const recompute = useRecomputeStratification();
  const runStatus = model.data?.run?.status;
  const refetch = distribution.refetch;
  // Once a recompute ends, the counts it changed are read once more.
  useEffect(() => {
    if (runStatus === 'done') void refetch();
  }, [runStatus, refetch]);
  if (model.isPending) return <Spin />;
  if (!model.data) return <Card>{errorText(model.error)}</Card>;
  const m = model.data;
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card
        title={t('stratification.title')}
        extra={
          canEdit ? (
            <Button
              icon={<ReloadOutlined />}
              loading={recompute.isPending}
              disabled={live}
              onClick={() =>
                recompute
                  .mutateAsync()
                  .then(() => message.success(t('stratification.queued')))
                  .catch((e: unknown) => message.error(errorText(e)))
              }
            >
              {t('stratification.recompute')}
            </Button>
          ) : null
        }
      >
        <Space direction="vertical" style={{ width: '100%' }}>
          <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
            {t('stratification.intro')}
          </Typography.Paragraph>
          <Typography.Text type="secondary">
            {m.isDefault
              ? t('stratification.defaults')
              : t('stratification.version', {
                  version: m.version,
                  at: m.updatedAt ? formatTime(m.updatedAt, language) : '—',
                })}
          </Typography.Text>
          {m.run ? <RunStatus run={m.run} /> : null}
        </Space>
      </Card>
      {distribution.isError ? <Alert type="error" message={errorText(distribution.error)} /> : null}
      {distribution.data ? <DistributionCharts d={distribution.data} /> : <Spin />}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <LifecycleForm model={m.lifecycle} editable={canEdit} />
        </Col>
        <Col xs={24} xl={12}>
          <RfmForm model={m.rfm} editable={canEdit} />
        </Col>
      </Row>
    </Space>
  );
}
