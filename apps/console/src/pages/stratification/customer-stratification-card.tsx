import { CheckCircleTwoTone, MinusCircleOutlined } from '@ant-design/icons';
import { Card, Descriptions, List, Space, Tag, Typography } from 'antd';
import { useCustomerStratification } from '../../api/use-stratification.ts';
import { errorText } from '../../components/api-error.ts';
import { formatTime } from '../../components/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { STAGE_COLOR, segmentKey, stageKey } from './labels.ts';

/** The customer 360's view of stratification: stage, why, and RFM scores. */
export function CustomerStratificationCard({ customerId }: { customerId: string }) {
  const { t, language } = useI18n();
  const q = useCustomerStratification(customerId);
  const s = q.data;
  return (
    <Card title={t('stratification.card')} loading={q.isPending} style={{ marginBottom: 16 }}>
      {q.isError ? (
        <Typography.Text type="danger">{errorText(q.error)}</Typography.Text>
      ) : s ? (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Descriptions column={1} size="small">
            <Descriptions.Item label={t('stratification.stage')}>
              {s.lifecycleStage ? (
                <Space>
                  <Tag color={STAGE_COLOR[s.lifecycleStage]}>{t(stageKey(s.lifecycleStage))}</Tag>
                  {s.lifecycleChangedAt ? (
                    <Typography.Text type="secondary">
                      {t('stratification.since', { at: formatTime(s.lifecycleChangedAt, language) })}
                    </Typography.Text>
                  ) : null}
                </Space>
              ) : (
                t('stratification.unstaged')
              )}
            </Descriptions.Item>
            <Descriptions.Item label={t('stratification.segment')}>
              {s.rfm.segment ? (
                <Space wrap>
                  <Tag color="purple">{t(segmentKey(s.rfm.segment))}</Tag>
                  <span>{`R${s.rfm.recency} · F${s.rfm.frequency} · M${s.rfm.monetary}`}</span>
                </Space>
              ) : (
                t('stratification.noScores')
              )}
            </Descriptions.Item>
          </Descriptions>
          {s.rfm.orderCount > 0 ? (
            <Typography.Text type="secondary">
              {t('stratification.orders', {
                orders: s.rfm.orderCount,
                spend: s.rfm.totalSpend.toLocaleString(language),
                days: s.rfm.daysSinceLastOrder ?? '—',
              })}
            </Typography.Text>
          ) : null}
          <Typography.Text strong>{t('stratification.why')}</Typography.Text>
          <List
            size="small"
            dataSource={s.checks}
            renderItem={(c) => (
              <List.Item>
                <Space>
                  {c.held ? (
                    <CheckCircleTwoTone twoToneColor="#52c41a" aria-label={t('stratification.held')} />
                  ) : (
                    <MinusCircleOutlined aria-label={t('stratification.notHeld')} />
                  )}
                  {c.stage === s.lifecycleStage ? (
                    <Typography.Text strong>{t(stageKey(c.stage))}</Typography.Text>
                  ) : (
                    <span>{t(stageKey(c.stage))}</span>
                  )}
                  <Typography.Text type="secondary">
                    {t(`stratification.check.${c.stage}`, {
                      value: c.value ?? '',
                      threshold: c.threshold ?? '',
                    })}
                  </Typography.Text>
                </Space>
              </List.Item>
            )}
          />
          {s.nextChangeAt ? (
            <Typography.Text type="secondary">
              {t('stratification.nextChange', { at: formatTime(s.nextChangeAt, language) })}
            </Typography.Text>
          ) : null}
        </Space>
      ) : null}
    </Card>
  );
}
