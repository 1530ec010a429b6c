import type { CustomerGroup, CustomerGroupMember } from '@pond/contracts';
import { Card, Descriptions, Drawer, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { useCustomerGroup, useCustomerGroups } from '../../api/use-wecom.ts';
import { formatTime } from '../../components/format.ts';
import { LoadMore } from '../../components/load-more.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

/** WeCom customer groups; a group opens with its members linked to their customer profiles. */
export function CustomerGroupsPage() {
  const { t, language } = useI18n();
  const [filters, setFilters] = useState<{ q?: string; status?: 'active' | 'dismissed' }>({});
  const [openId, setOpenId] = useState<string | null>(null);
  const groups = useCustomerGroups(filters);
  const detail = useCustomerGroup(openId);
  const rows = groups.data?.pages.flatMap((p) => p.data) ?? [];
  const time = (at: number | null) => (at ? formatTime(at, language) : '—');
  return (
    <Card
      title={t('groups.title')}
      extra={
        <Space>
          <Input.Search
            allowClear
            placeholder={t('groups.search')}
            style={{ width: 240 }}
            onSearch={(q) => setFilters((f) => ({ ...f, q: q || undefined }))}
          />
          <Select
            allowClear
            placeholder={t('groups.status')}
            style={{ width: 120 }}
            onChange={(status) => setFilters((f) => ({ ...f, status }))}
            options={(['active', 'dismissed'] as const).map((s) => ({
              value: s,
              label: t(`groups.status.${s}`),
            }))}
          />
        </Space>
      }
    >
      <Typography.Paragraph type="secondary">{t('groups.intro')}</Typography.Paragraph>
      <Table<CustomerGroup>
        rowKey="id"
        loading={groups.isPending}
        dataSource={rows}
        pagination={false}
        locale={{ emptyText: t('groups.empty') }}
        onRow={(g) => ({ onClick: () => setOpenId(g.id), style: { cursor: 'pointer' } })}
        columns={[
          { title: t('groups.name'), key: 'name', render: (_: unknown, g) => g.name || t('groups.unnamed') },
          {
            title: t('groups.owner'),
            key: 'owner',
            render: (_: unknown, g) => g.owner?.name ?? g.owner?.userId ?? '—',
          },
          { title: t('groups.members'), dataIndex: 'memberCount' },
          { title: t('groups.externals'), dataIndex: 'externalCount' },
          {
            title: t('groups.status'),
            dataIndex: 'status',
            render: (s: CustomerGroup['status']) => (
              <Tag color={s === 'active' ? 'green' : 'default'}>{t(`groups.status.${s}`)}</Tag>
            ),
          },
          { title: t('groups.createdAt'), dataIndex: 'createdAt', render: time },
        ]}
      />
      <LoadMore list={groups} />
      <Drawer
        width={720}
        open={openId !== null}
        onClose={() => setOpenId(null)}
        title={detail.data ? detail.data.name || t('groups.unnamed') : ''}
        loading={detail.isPending}
      >
        {detail.data ? (
          <>
            <Descriptions column={2} size="small" style={{ marginBottom: 16 }}>
              <Descriptions.Item label="chat_id">
                <code>{detail.data.chatId}</code>
              </Descriptions.Item>
              <Descriptions.Item label={t('groups.owner')}>
                {detail.data.owner?.name ?? detail.data.owner?.userId ?? '—'}
              </Descriptions.Item>
              <Descriptions.Item label={t('groups.notice')} span={2}>
                {detail.data.notice ?? '—'}
              </Descriptions.Item>
            </Descriptions>
            <Table<CustomerGroupMember>
              rowKey="memberId"
              size="small"
              pagination={false}
              dataSource={detail.data.members}
              columns={[
                {
                  title: t('groups.name'),
                  key: 'name',
                  render: (_: unknown, m) =>
                    m.customerId ? (
                      <Link to={`/customers/${m.customerId}`}>{m.name ?? m.memberId}</Link>
                    ) : (
                      (m.name ?? m.memberId)
                    ),
                },
                {
                  title: '',
                  dataIndex: 'kind',
                  render: (k: CustomerGroupMember['kind']) => t(`groups.memberKind.${k}`),
                },
                {
                  title: t('groups.status'),
                  dataIndex: 'status',
                  render: (s: CustomerGroupMember['status']) => (
                    <Tag color={s === 'member' ? 'green' : 'default'}>{t(`groups.memberStatus.${s}`)}</Tag>
                  ),
                },
                { title: t('groups.joinedAt'), dataIndex: 'joinedAt', render: time },
                { title: t('groups.scene'), dataIndex: 'joinScene', render: (s: number | null) => s ?? '—' },
                { title: t('groups.leftAt'), dataIndex: 'leftAt', render: time },
              ]}
            />
          </>
        ) : null}
      </Drawer>
    </Card>
  );
}
