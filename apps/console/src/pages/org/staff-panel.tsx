import { PlusOutlined } from '@ant-design/icons';
import type { OrgUnit, Staff } from '@pond/contracts';
import { App, Button, Card, Empty, Input, Popconfirm, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useDepartStaff, useReinstateStaff, useStaffList } from '../../api/use-staff.ts';
import { errorText } from '../../components/api-error.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { StaffDrawer, type StaffDrawerState } from './staff-drawer.tsx';
import type { UnitNode } from './unit-tree.ts';

interface Props {
  readonly unit: OrgUnit | null;
  readonly units: readonly OrgUnit[];
  readonly tree: UnitNode[];
  readonly canWrite: boolean;
}

export function StaffPanel({ unit, units, tree, canWrite }: Props) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<'active' | 'departed' | undefined>(undefined);
  const [drawer, setDrawer] = useState<StaffDrawerState>(null);
  const list = useStaffList({ orgUnitId: unit?.id, status, q: q || undefined });
  const depart = useDepartStaff();
  const reinstate = useReinstateStaff();
  const unitName = new Map(units.map((u) => [u.id, u.name]));
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];

  const act = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (e) {
      message.error(errorText(e));
    }
  };

  if (!unit)
    return (
      <Card>
        <Empty description={t('org.selectUnit')} />
      </Card>
    );
  return (
    <Card
      title={`${t('staff.title')} · ${unit.name}`}
      extra={
        canWrite ? (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setDrawer({ mode: 'create', orgUnitId: unit.id })}
          >
            {t('staff.add')}
          </Button>
        ) : null
      }
    >
      <Space style={{ marginBottom: 16 }} wrap>
        <Input.Search
          allowClear
          placeholder={t('staff.searchPlaceholder')}
          onSearch={setQ}
          style={{ width: 280 }}
        />
        <Select
          allowClear
          placeholder={t('common.status')}
          style={{ width: 140 }}
          value={status}
          onChange={setStatus}
          options={[
            { value: 'active', label: t('staff.status.active') },
            { value: 'departed', label: t('staff.status.departed') },
          ]}
        />
      </Space>
      <Table<Staff>
        rowKey="id"
        size="middle"
        loading={list.isPending}
        dataSource={rows}
        pagination={false}
        locale={{ emptyText: <Empty description={t('staff.empty')} /> }}
        columns={[
          { title: t('staff.name'), dataIndex: 'name' },
          { title: t('staff.mobile'), dataIndex: 'mobile' },
          { title: t('staff.wecomUserId'), dataIndex: 'wecomUserId' },
          { title: t('staff.jobTitle'), dataIndex: 'title' },
          { title: t('staff.unit'), dataIndex: 'orgUnitId', render: (id: string) => unitName.get(id) ?? id },
          {
            title: t('common.status'),
            dataIndex: 'status',
            render: (s: Staff['status']) => (
              <Tag color={s === 'active' ? 'green' : 'default'}>{t(`staff.status.${s}`)}</Tag>
            ),
          },
          ...(canWrite
            ? [
                {
                  title: t('common.actions'),
                  key: 'actions',
                  render: (_: unknown, s: Staff) => (
                    <Space size={0}>
                      <Button type="link" onClick={() => setDrawer({ mode: 'edit', staff: s })}>
                        {t('common.edit')}
                      </Button>
                      {s.status === 'active' ? (
                        <Popconfirm
                          title={t('staff.departConfirm', { name: s.name })}
                          okText={t('common.confirm')}
                          cancelText={t('common.cancel')}
                          onConfirm={() => act(() => depart.mutateAsync(s.id))}
                        >
                          <Button type="link" danger>
                            {t('staff.depart')}
                          </Button>
                        </Popconfirm>
                      ) : (
                        <Button type="link" onClick={() => act(() => reinstate.mutateAsync(s.id))}>
                          {t('staff.reinstate')}
                        </Button>
                      )}
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      {list.hasNextPage ? (
        <Button
          block
          style={{ marginTop: 12 }}
          loading={list.isFetchingNextPage}
          onClick={() => list.fetchNextPage()}
        >
          {t('common.loadMore')}
        </Button>
      ) : null}
      <StaffDrawer state={drawer} tree={tree} onClose={() => setDrawer(null)} />
    </Card>
  );
}
