import { Alert, App, Button, Card, Descriptions, Progress, Space, Tag, Typography } from 'antd';
import { useStartWeComSync, useWeComSync } from '../../api/use-wecom.ts';
import { errorText } from '../../components/api-error.ts';
import { formatTime } from '../../components/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';

const STATUS_COLOR = { queued: 'default', running: 'processing', done: 'success', failed: 'error' } as const;

/** The full sync: start it, and follow its phase and counts while it runs. */
export function SyncCard({ canSync }: { canSync: boolean }) {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const q = useWeComSync();
  const start = useStartWeComSync();
  const s = q.data?.sync ?? null;
  const running = s?.status === 'queued' || s?.status === 'running';
  const percent =
    !s || s.phase === 'done'
      ? 100
      : s.phase === 'groups'
        ? 90
        : s.phase === 'directory' || s.members === 0
          ? 5
          : 10 + Math.round((s.membersDone / s.members) * 80);
  return (
    <Card
      title={t('sync.title')}
      loading={q.isPending}
      extra={
        <Button
          type="primary"
          disabled={!canSync || running}
          loading={start.isPending}
          onClick={() => start.mutate(undefined, { onError: (e) => message.error(errorText(e)) })}
        >
          {t('sync.start')}
        </Button>
      }
    >
      <Typography.Paragraph type="secondary">{t('sync.intro')}</Typography.Paragraph>
      {s ? (
        <Space direction="vertical" style={{ width: '100%' }} data-testid="wecom-sync">
          <Space>
            <Tag color={STATUS_COLOR[s.status]}>{t(`sync.status.${s.status}`)}</Tag>
            <Typography.Text>{t(`sync.phase.${s.phase}`)}</Typography.Text>
          </Space>
          <Progress
            percent={percent}
            status={s.status === 'failed' ? 'exception' : running ? 'active' : 'normal'}
          />
          <Descriptions size="small" column={3}>
            <Descriptions.Item label={t('sync.members')}>
              {s.membersDone} / {s.members}
            </Descriptions.Item>
            <Descriptions.Item label={t('sync.units')}>{s.unitsCreated}</Descriptions.Item>
            <Descriptions.Item label={t('sync.staff')}>{s.staffCreated}</Descriptions.Item>
            <Descriptions.Item label={t('sync.relationships')}>{s.relationships}</Descriptions.Item>
            <Descriptions.Item label={t('sync.customersCreated')}>{s.customersCreated}</Descriptions.Item>
            <Descriptions.Item label={t('sync.groups')}>{s.groups}</Descriptions.Item>
            <Descriptions.Item label={t('sync.startedAt')}>
              {formatTime(s.createdAt, language)}
            </Descriptions.Item>
            <Descriptions.Item label={t('sync.finishedAt')}>
              {s.finishedAt ? formatTime(s.finishedAt, language) : '—'}
            </Descriptions.Item>
          </Descriptions>
          {s.error ? <Alert type={s.status === 'failed' ? 'error' : 'warning'} message={s.error} /> : null}
        </Space>
      ) : (
        <Typography.Text type="secondary">{t('sync.never')}</Typography.Text>
      )}
    </Card>
  );
}
