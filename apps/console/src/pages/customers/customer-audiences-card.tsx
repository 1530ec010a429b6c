import { Card, Collapse, Empty, List, Space, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { useCustomerAudiences } from '../../api/use-audiences.ts';
import { formatTime } from '../../components/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';

/** The saved audiences the customer is in, and when they entered and left them. */
export function CustomerAudiencesCard({ customerId }: { customerId: string }) {
  const { t, language } = useI18n();
  const audiences = useCustomerAudiences(customerId);
  const data = audiences.data;
  return (
    <Card title={t('audiences.ofCustomer')} style={{ marginBottom: 16 }} loading={audiences.isPending}>
      {data && data.current.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('audiences.inNone')} />
      ) : (
        <Space wrap>
          {(data?.current ?? []).map((a) => (
            <Link key={a.id} to={`/customers?audienceId=${a.id}`}>
              <Tag color={a.kind === 'dynamic' ? 'green' : 'default'}>{a.name}</Tag>
            </Link>
          ))}
        </Space>
      )}
      {data && data.history.length > 0 ? (
        <Collapse
          ghost
          style={{ marginTop: 8 }}
          items={[
            {
              key: 'history',
              label: t('audiences.history'),
              children: (
                <List
                  size="small"
                  dataSource={data.history}
                  renderItem={(h) => (
                    <List.Item>
                      <Typography.Text>
                        {t(h.change === 'entered' ? 'audiences.entered' : 'audiences.exited')} {h.name}
                      </Typography.Text>
                      <Typography.Text type="secondary">{formatTime(h.at, language)}</Typography.Text>
                    </List.Item>
                  )}
                />
              ),
            },
          ]}
        />
      ) : null}
    </Card>
  );
}
