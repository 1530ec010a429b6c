import { CheckOutlined } from '@ant-design/icons';
import { Permission } from '@pond/contracts';
import { Card, Table } from 'antd';
import { useRoles } from '../../api/use-access.ts';
import { useI18n } from '../../i18n/i18n.tsx';

/** Roles across, permissions down: who may do what. */
export function RolesPage() {
  const { t } = useI18n();
  const roles = useRoles();
  const data = Permission.options.map((permission) => ({ permission }));
  return (
    <Card title={t('roles.title')}>
      <Table
        rowKey="permission"
        loading={roles.isPending}
        dataSource={data}
        pagination={false}
        size="small"
        columns={[
          {
            title: t('roles.permission'),
            dataIndex: 'permission',
            render: (p: Permission) => t(`perm.${p}`),
          },
          ...(roles.data ?? []).map((r) => ({
            title: t(`role.${r.role}`),
            key: r.role,
            align: 'center' as const,
            render: (_: unknown, row: { permission: Permission }) =>
              r.permissions.includes(row.permission) ? <CheckOutlined style={{ color: '#52c41a' }} /> : null,
          })),
        ]}
      />
    </Card>
  );
}
