import { ArrowDownOutlined, ArrowUpOutlined } from '@ant-design/icons';
import type { IdentityType } from '@pond/contracts';
import { App, Button, Card, List, Space, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useIdentityPriority, useSetIdentityPriority } from '../../api/use-attributes.ts';
import { errorText } from '../../components/api-error.ts';
import { usePermissions } from '../../components/app-layout.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

/** Orders identity types; when data links profiles, the one matched by the highest type survives. */
export function IdentityPriorityCard() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const canManage = usePermissions().has('customers.configure');
  const current = useIdentityPriority();
  const save = useSetIdentityPriority();
  const [order, setOrder] = useState<IdentityType[]>([]);
  useEffect(() => {
    if (current.data) setOrder(current.data.priority);
  }, [current.data]);
  const changed = JSON.stringify(order) !== JSON.stringify(current.data?.priority ?? []);
  const move = (i: number, by: -1 | 1) => {
    const next = [...order];
    const [item] = next.splice(i, 1);
    if (item) next.splice(i + by, 0, item);
    setOrder(next);
  };
  const act = (priority: IdentityType[] | null) =>
    save
      .mutateAsync(priority)
      .then(() => message.success(t('common.saved')))
      .catch((e: unknown) => message.error(errorText(e)));
  return (
    <Card
      title={t('identityPriority.title')}
      loading={current.isPending}
      extra={
        canManage ? (
          <Space>
            <Button disabled={current.data?.isDefault} onClick={() => act(null)}>
              {t('identityPriority.reset')}
            </Button>
            <Button type="primary" disabled={!changed} loading={save.isPending} onClick={() => act(order)}>
              {t('common.save')}
            </Button>
          </Space>
        ) : null
      }
    >
      <Typography.Paragraph type="secondary">{t('identityPriority.howTo')}</Typography.Paragraph>
      <List
        size="small"
        bordered
        dataSource={order}
        renderItem={(type, i) => (
          <List.Item
            actions={
              canManage
                ? [
                    <Button
                      key="up"
                      size="small"
                      aria-label={`${type} ${t('identityPriority.up')}`}
                      icon={<ArrowUpOutlined />}
                      disabled={i === 0}
                      onClick={() => move(i, -1)}
                    />,
                    <Button
                      key="down"
                      size="small"
                      aria-label={`${type} ${t('identityPriority.down')}`}
                      icon={<ArrowDownOutlined />}
                      disabled={i === order.length - 1}
                      onClick={() => move(i, 1)}
                    />,
                  ]
                : []
            }
          >
            <Space>
              <Tag>{i + 1}</Tag>
              <Typography.Text code>{type}</Typography.Text>
            </Space>
          </List.Item>
        )}
      />
    </Card>
  );
}
