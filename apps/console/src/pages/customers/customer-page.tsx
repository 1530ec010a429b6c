import type { MergeRecord } from '@pond/contracts';
import { App, Button, Card, Col, Descriptions, Empty, Popconfirm, Row, Space, Spin, Table, Tag } from 'antd';
import { useState } from 'react';
import { useParams } from 'react-router';
import { useAttributes } from '../../api/use-attributes.ts';
import { useCustomer, useMerges, useUnmerge } from '../../api/use-customers.ts';
import { errorText } from '../../components/api-error.ts';
import { usePermissions } from '../../components/app-layout.tsx';
import { formatTime } from '../../components/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { CustomerStratificationCard } from '../stratification/customer-stratification-card.tsx';
import { stageText } from '../stratification/labels.ts';
import { CustomerWeComCard } from '../wecom/customer-wecom-card.tsx';
import { AddIdentityModal } from './add-identity-modal.tsx';
import { CustomerAudiencesCard } from './customer-audiences-card.tsx';
import { CustomerEditDrawer } from './customer-edit-drawer.tsx';
import { CustomerTagsCard } from './customer-tags-card.tsx';
import { CustomerTimeline } from './customer-timeline.tsx';
import { MergeCustomerModal } from './merge-customer-modal.tsx';
import { PrivacyCard } from './privacy-card.tsx';

/** Customer 360: profile, identities, merges (with un-merge) and the timeline. */
export function CustomerPage() {
  const { id = '' } = useParams();
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const customer = useCustomer(id);
  const merges = useMerges(id);
  const unmerge = useUnmerge(id);
  const definitions = useAttributes();
  const canWrite = usePermissions().has('customers.write');
  const [dialog, setDialog] = useState<'edit' | 'identity' | 'merge' | null>(null);
  if (customer.isPending) return <Spin />;
  if (!customer.data) return <Card>{errorText(customer.error)}</Card>;
  const c = customer.data;
  const time = (at: number | null) => (at ? formatTime(at, language) : '—');
  const close = () => setDialog(null);
  const attributeText = (value: unknown) =>
    typeof value === 'boolean'
      ? t(value ? 'common.yes' : 'common.no')
      : Array.isArray(value)
        ? value.join('、')
        : String(value);
  return (
    <Row gutter={16}>
      <Col xs={24} lg={10}>
        <Card
          title={c.name ?? t('customers.unnamed')}
          style={{ marginBottom: 16 }}
          extra={
            canWrite && c.status === 'active' ? (
              <Button onClick={() => setDialog('edit')}>{t('customers.edit')}</Button>
            ) : null
          }
        >
          <Descriptions column={1} size="small">
            <Descriptions.Item label={t('customers.phone')}>{c.phone ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('customers.email')}>{c.email ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('customers.gender')}>
              {t(`customers.gender.${c.gender}`)}
            </Descriptions.Item>
            <Descriptions.Item label={t('customers.birthday')}>{c.birthday ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('customers.city')}>
              {[c.region, c.city].filter(Boolean).join(' ') || '—'}
            </Descriptions.Item>
            <Descriptions.Item label={t('customers.membership')}>
              {c.membershipLevel ?? '—'}
            </Descriptions.Item>
            <Descriptions.Item label={t('customers.lifecycle')}>
              {stageText(t, c.lifecycleStage)}
            </Descriptions.Item>
            <Descriptions.Item label={t('customers.source')}>{c.sourceChannel ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('customers.firstSeen')}>{time(c.firstSeenAt)}</Descriptions.Item>
            <Descriptions.Item label={t('customers.lastActive')}>{time(c.lastActiveAt)}</Descriptions.Item>
            <Descriptions.Item label={t('customers.orders')}>{c.orderCount}</Descriptions.Item>
            <Descriptions.Item label={t('customers.spend')}>{c.totalSpend.toFixed(2)}</Descriptions.Item>
          </Descriptions>
        </Card>
        <CustomerStratificationCard customerId={c.id} />
        <CustomerWeComCard customerId={c.id} />
        <CustomerTagsCard customerId={c.id} active={c.status === 'active'} />
        <CustomerAudiencesCard customerId={c.id} />
        <Card title={t('customers.attributes')} style={{ marginBottom: 16 }}>
          {Object.keys(c.attributes).length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('customers.noAttributes')} />
          ) : (
            <Descriptions column={1} size="small">
              {Object.entries(c.attributes).map(([key, value]) => (
                <Descriptions.Item
                  key={key}
                  label={definitions.data?.find((d) => d.key === key)?.label ?? key}
                >
                  {attributeText(value)}
                </Descriptions.Item>
              ))}
            </Descriptions>
          )}
        </Card>
        <Card
          title={t('customers.identities')}
          style={{ marginBottom: 16 }}
          extra={
            canWrite && c.status === 'active' ? (
              <Space size={0}>
                <Button type="link" onClick={() => setDialog('identity')}>
                  {t('customers.addIdentity')}
                </Button>
                <Button type="link" onClick={() => setDialog('merge')}>
                  {t('customers.mergeOther')}
                </Button>
              </Space>
            ) : null
          }
        >
          {c.identities.map((i) => (
            <Tag key={`${i.type}:${i.namespace ?? ''}:${i.value}`} style={{ marginBottom: 8 }}>
              {i.type}
              {i.namespace ? `(${i.namespace})` : ''}: {i.value}
            </Tag>
          ))}
        </Card>
        <Card title={t('customers.merges')}>
          <Table<MergeRecord>
            rowKey="id"
            size="small"
            pagination={false}
            dataSource={merges.data ?? []}
            columns={[
              {
                title: t('audit.time'),
                dataIndex: 'createdAt',
                render: (at: number) => formatTime(at, language),
              },
              {
                title: t('audit.target'),
                key: 'pair',
                render: (_: unknown, m: MergeRecord) => `${m.mergedId} → ${m.survivorId}`,
              },
              { title: t('common.status'), dataIndex: 'status' },
              {
                title: t('common.actions'),
                key: 'actions',
                render: (_: unknown, m: MergeRecord) =>
                  m.status === 'merged' && m.survivorId === c.id ? (
                    <Popconfirm
                      title={t('customers.unmergeConfirm')}
                      okText={t('customers.unmerge')}
                      cancelText={t('common.cancel')}
                      onConfirm={() =>
                        unmerge.mutateAsync(m.id).catch((e: unknown) => message.error(errorText(e)))
                      }
                    >
                      <Button type="link">{t('customers.unmerge')}</Button>
                    </Popconfirm>
                  ) : null,
              },
            ]}
          />
        </Card>
      </Col>
      <Col xs={24} lg={14}>
        <Card title={t('customers.timeline')}>
          <CustomerTimeline customerId={c.id} />
        </Card>
        <PrivacyCard customerId={c.id} />
      </Col>
      <CustomerEditDrawer customer={c} open={dialog === 'edit'} onClose={close} />
      <AddIdentityModal customerId={c.id} open={dialog === 'identity'} onClose={close} />
      <MergeCustomerModal customerId={c.id} open={dialog === 'merge'} onClose={close} />
    </Row>
  );
}
