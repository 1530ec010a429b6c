import type { WeComRelationship } from '@pond/contracts';
import { Card, List, Space, Tag, Typography } from 'antd';
import { useCustomerWeCom } from '../../api/use-wecom.ts';
import { errorText } from '../../components/api-error.ts';
import { formatTime } from '../../components/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';

const REL_COLOR: Record<WeComRelationship['status'], string> = {
  active: 'green',
  pending: 'blue',
  deleted_by_customer: 'red',
  deleted_by_staff: 'orange',
  transferred: 'default',
};

/** The customer 360's WeCom view: contact relationships with staff and customer groups. */
export function CustomerWeComCard({ customerId }: { customerId: string }) {
  const { t, language } = useI18n();
  const q = useCustomerWeCom(customerId);
  const d = q.data;
  return (
    <Card
      title={t('customerWecom.title')}
      loading={q.isPending}
      style={{ marginBottom: 16 }}
      data-testid="customer-wecom"
    >
      {q.isError ? (
        <Typography.Text type="danger">{errorText(q.error)}</Typography.Text>
      ) : d ? (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Typography.Text strong>{t('customerWecom.relationships')}</Typography.Text>
          <List
            size="small"
            dataSource={d.relationships}
            locale={{ emptyText: t('customerWecom.none') }}
            renderItem={(r) => (
              <List.Item>
                <Space direction="vertical" size={0}>
                  <span>
                    {r.staffName ?? <code>{r.staffUserId}</code>}{' '}
                    <Tag color={REL_COLOR[r.status]}>{t(`rel.${r.status}`)}</Tag>
                  </span>
                  <Typography.Text type="secondary">
                    {[
                      t('customerWecom.addedAt', { at: formatTime(r.addedAt, language) }),
                      r.state ? t('customerWecom.channel', { state: r.state }) : null,
                      r.remark ? t('customerWecom.remark', { remark: r.remark }) : null,
                      r.transferFailure
                        ? t('customerWecom.transferFailed', { reason: r.transferFailure })
                        : null,
                    ]
                      .filter(Boolean)
                      .join(' · ')}
                  </Typography.Text>
                </Space>
              </List.Item>
            )}
          />
          <Typography.Text strong>{t('customerWecom.groups')}</Typography.Text>
          <List
            size="small"
            dataSource={d.groups}
            locale={{ emptyText: t('customerWecom.noGroups') }}
            renderItem={(g) => (
              <List.Item>
                {g.name || t('groups.unnamed')}{' '}
                <Tag color={g.status === 'member' ? 'green' : 'default'}>
                  {t(`groups.memberStatus.${g.status}`)}
                </Tag>
              </List.Item>
            )}
          />
        </Space>
      ) : null}
    </Card>
  );
}
