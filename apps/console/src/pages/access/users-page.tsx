import { PlusOutlined } from '@ant-design/icons';
import type { User } from '@pond/contracts';
import { Button, Card, Input, Space, Table, Tag } from 'antd';
import { useMemo, useState } from 'react';
import { useUsers } from '../../api/use-access.ts';
import { useOrgUnits } from '../../api/use-org-units.ts';
import { usePermissions } from '../../components/app-layout.tsx';
import { formatTime } from '../../components/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { buildUnitTree } from '../org/unit-tree.ts';
import { UserModal, type UserModalState } from './user-modal.tsx';

export function UsersPage() {
  const { t, language } = useI18n();
  const canWrite = usePermissions().has('users.write');
  const [q, setQ] = useState('');
  const [modal, setModal] = useState<UserModalState>(null);
  const users = useUsers(q);
  const units = useOrgUnits();
  const tree = useMemo(() => buildUnitTree(units.data ?? [], (u) => u.name), [units.data]);
  const unitName = new Map((units.data ?? []).map((u) => [u.id, u.name]));
  const rows = users.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <Card
      title={t('users.title')}
      extra={
        canWrite ? (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setModal({ mode: 'create' })}>
            {t('users.add')}
          </Button>
        ) : null
      }
    >
      <Space style={{ marginBottom: 16 }}>
        <Input.Search allowClear onSearch={setQ} placeholder={t('common.search')} style={{ width: 280 }} />
      </Space>
      <Table<User>
        rowKey="id"
        loading={users.isPending}
        dataSource={rows}
        pagination={false}
        columns={[
          { title: t('users.name'), dataIndex: 'name' },
          { title: t('users.email'), dataIndex: 'email' },
          { title: t('users.mobile'), dataIndex: 'mobile' },
          { title: t('users.role'), dataIndex: 'role', render: (r: User['role']) => t(`role.${r}`) },
          {
            title: t('users.scope'),
            dataIndex: 'scopeUnitId',
            render: (id: string) => unitName.get(id) ?? id,
          },
          {
            title: t('common.status'),
            dataIndex: 'status',
            render: (s: User['status']) => (
              <Tag color={s === 'active' ? 'green' : 'red'}>{t(`users.status.${s}`)}</Tag>
            ),
          },
          {
            title: t('users.lastSignIn'),
            dataIndex: 'lastSignInAt',
            render: (at: number | null) => (at ? formatTime(at, language) : t('common.never')),
          },
          ...(canWrite
            ? [
                {
                  title: t('common.actions'),
                  key: 'actions',
                  render: (_: unknown, u: User) => (
                    <Button type="link" onClick={() => setModal({ mode: 'edit', user: u })}>
                      {t('common.edit')}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      {users.hasNextPage ? (
        <Button
          block
          style={{ marginTop: 12 }}
          onClick={() => users.fetchNextPage()}
          loading={users.isFetchingNextPage}
        >
          {t('common.loadMore')}
        </Button>
      ) : null}
      <UserModal state={modal} tree={tree} onClose={() => setModal(null)} />
    </Card>
  );
}
