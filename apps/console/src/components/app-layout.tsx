import {
  AlertOutlined,
  ApartmentOutlined,
  AuditOutlined,
  BugOutlined,
  CommentOutlined,
  DatabaseOutlined,
  DownOutlined,
  FilterOutlined,
  KeyOutlined,
  PieChartOutlined,
  ProfileOutlined,
  QrcodeOutlined,
  SwapOutlined,
  TagsOutlined,
  TeamOutlined,
  ThunderboltOutlined,
  UnorderedListOutlined,
  UploadOutlined,
  UserOutlined,
  WechatWorkOutlined,
} from '@ant-design/icons';
import type { Permission } from '@pond/contracts';
import { Button, Dropdown, Layout, Menu, Space, Spin, Typography } from 'antd';
import { useState } from 'react';
import { Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { useMe, useSignOut } from '../api/use-auth.ts';
import { type MessageKey, useI18n } from '../i18n/i18n.tsx';
import { ChangePasswordModal } from './change-password-modal.tsx';

interface NavItem {
  readonly path: string;
  readonly label: MessageKey;
  readonly icon: React.ReactNode;
  readonly permission: Permission;
}

const NAV: readonly NavItem[] = [
  { path: '/customers', label: 'menu.customers', icon: <UserOutlined />, permission: 'customers.read' },
  {
    path: '/customers/import',
    label: 'menu.import',
    icon: <UploadOutlined />,
    permission: 'customers.import',
  },
  { path: '/tags', label: 'menu.tags', icon: <TagsOutlined />, permission: 'customers.read' },
  { path: '/tags/auto', label: 'menu.autoTags', icon: <ThunderboltOutlined />, permission: 'customers.read' },
  { path: '/audiences', label: 'menu.audiences', icon: <FilterOutlined />, permission: 'customers.read' },
  {
    path: '/stratification',
    label: 'menu.stratification',
    icon: <PieChartOutlined />,
    permission: 'customers.read',
  },
  {
    path: '/customers/attributes',
    label: 'menu.attributes',
    icon: <ProfileOutlined />,
    permission: 'customers.read',
  },
  { path: '/wecom/live-codes', label: 'menu.liveCodes', icon: <QrcodeOutlined />, permission: 'wecom.read' },
  { path: '/wecom/loss-alerts', label: 'menu.lossAlerts', icon: <AlertOutlined />, permission: 'wecom.read' },
  {
    path: '/wecom/groups',
    label: 'menu.customerGroups',
    icon: <CommentOutlined />,
    permission: 'wecom.read',
  },
  { path: '/wecom/succession', label: 'menu.succession', icon: <SwapOutlined />, permission: 'wecom.manage' },
  {
    path: '/wecom/settings',
    label: 'menu.wecomSettings',
    icon: <WechatWorkOutlined />,
    permission: 'wecom.manage',
  },
  { path: '/data/sources', label: 'menu.sources', icon: <DatabaseOutlined />, permission: 'events.read' },
  {
    path: '/data/catalog',
    label: 'menu.catalog',
    icon: <UnorderedListOutlined />,
    permission: 'events.read',
  },
  { path: '/data/debugger', label: 'menu.debugger', icon: <BugOutlined />, permission: 'events.read' },
  { path: '/org', label: 'menu.org', icon: <ApartmentOutlined />, permission: 'org.read' },
  { path: '/access/users', label: 'menu.users', icon: <TeamOutlined />, permission: 'users.read' },
  { path: '/access/roles', label: 'menu.roles', icon: <TeamOutlined />, permission: 'org.read' },
  { path: '/access/api-keys', label: 'menu.apiKeys', icon: <KeyOutlined />, permission: 'api_keys.manage' },
  { path: '/audit', label: 'menu.audit', icon: <AuditOutlined />, permission: 'audit.read' },
];

/** The signed-in frame: side menu filtered by permission, header with language and account. */
export function AppLayout() {
  const { t, language, setLanguage } = useI18n();
  const me = useMe();
  const signOut = useSignOut();
  const navigate = useNavigate();
  const location = useLocation();
  const [passwordOpen, setPasswordOpen] = useState(false);

  if (me.isPending) return <Spin fullscreen />;
  if (!me.data) return <Navigate to="/sign-in" replace />;
  const permissions = new Set(me.data.permissions);
  const items = NAV.filter((n) => permissions.has(n.permission)).map((n) => ({
    key: n.path,
    icon: n.icon,
    label: t(n.label),
  }));
  const selected =
    [...NAV].sort((a, b) => b.path.length - a.path.length).find((n) => location.pathname.startsWith(n.path))
      ?.path ?? '';

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider theme="light" width={220} breakpoint="lg" collapsedWidth={0}>
        <Typography.Title level={4} style={{ padding: '16px 24px', margin: 0 }}>
          {t('app.name')}
        </Typography.Title>
        <Menu mode="inline" selectedKeys={[selected]} items={items} onClick={(e) => navigate(e.key)} />
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{
            background: '#fff',
            display: 'flex',
            justifyContent: 'space-between',
            alignItems: 'center',
          }}
        >
          <Typography.Text strong>{me.data.tenant.name}</Typography.Text>
          <Space>
            <Button type="text" onClick={() => setLanguage(language === 'zh-CN' ? 'en' : 'zh-CN')}>
              {t('header.language')}
            </Button>
            <Dropdown
              menu={{
                items: [
                  {
                    key: 'password',
                    label: t('header.changePassword'),
                    onClick: () => setPasswordOpen(true),
                  },
                  {
                    key: 'sign-out',
                    label: t('header.signOut'),
                    onClick: () => signOut.mutate(undefined, { onSettled: () => navigate('/sign-in') }),
                  },
                ],
              }}
            >
              <Button type="text">
                {me.data.user.name} <DownOutlined />
              </Button>
            </Dropdown>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ margin: 24 }}>
          <Outlet />
        </Layout.Content>
      </Layout>
      <ChangePasswordModal open={passwordOpen} onClose={() => setPasswordOpen(false)} />
    </Layout>
  );
}

/** The permissions of the signed-in user. */
export function usePermissions(): ReadonlySet<Permission> {
  const me = useMe();
  return new Set(me.data?.permissions ?? []);
}
