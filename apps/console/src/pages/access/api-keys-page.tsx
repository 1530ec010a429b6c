import { PlusOutlined } from '@ant-design/icons';
import { type ApiKey, Permission } from '@pond/contracts';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Form,
  Input,
  Modal,
  Popconfirm,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useApiKeys, useCreateApiKey, useRevokeApiKey } from '../../api/use-access.ts';
import { useMe } from '../../api/use-auth.ts';
import { errorText, showFieldError } from '../../components/api-error.ts';
import { formatTime } from '../../components/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';

export function ApiKeysPage() {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const keys = useApiKeys();
  const me = useMe();
  const create = useCreateApiKey();
  const revoke = useRevokeApiKey();
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [form] = Form.useForm<{ name: string; scopes: Permission[] }>();
  const grantable = Permission.options.filter((p) => me.data?.permissions.includes(p));

  const submit = async () => {
    const v = await form.validateFields();
    try {
      const created = await create.mutateAsync(v);
      setCreating(false);
      form.resetFields();
      setSecret(created.secret);
    } catch (e) {
      if (!showFieldError(form, e)) message.error(errorText(e));
    }
  };

  return (
    <Card
      title={t('apiKeys.title')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
          {t('apiKeys.add')}
        </Button>
      }
    >
      <Table<ApiKey>
        rowKey="id"
        loading={keys.isPending}
        dataSource={keys.data ?? []}
        pagination={false}
        columns={[
          { title: t('apiKeys.name'), dataIndex: 'name' },
          { title: t('apiKeys.prefix'), dataIndex: 'prefix', render: (p: string) => <code>{p}…</code> },
          {
            title: t('apiKeys.scopes'),
            dataIndex: 'scopes',
            render: (scopes: Permission[]) => scopes.map((s) => <Tag key={s}>{t(`perm.${s}`)}</Tag>),
          },
          { title: t('apiKeys.createdBy'), dataIndex: 'createdBy' },
          {
            title: t('apiKeys.lastUsed'),
            dataIndex: 'lastUsedAt',
            render: (at: number | null) => (at ? formatTime(at, language) : t('common.never')),
          },
          {
            title: t('common.status'),
            key: 'status',
            render: (_: unknown, k: ApiKey) =>
              k.revokedAt ? (
                <Tag>{t('apiKeys.revoked')}</Tag>
              ) : (
                <Tag color="green">{t('apiKeys.active')}</Tag>
              ),
          },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, k: ApiKey) =>
              k.revokedAt ? null : (
                <Popconfirm
                  title={t('apiKeys.revokeConfirm')}
                  okText={t('apiKeys.revoke')}
                  okButtonProps={{ danger: true }}
                  cancelText={t('common.cancel')}
                  onConfirm={() =>
                    revoke.mutateAsync(k.id).catch((e: unknown) => message.error(errorText(e)))
                  }
                >
                  <Button type="link" danger>
                    {t('apiKeys.revoke')}
                  </Button>
                </Popconfirm>
              ),
          },
        ]}
      />
      <Modal
        open={creating}
        title={t('apiKeys.add')}
        onOk={submit}
        onCancel={() => setCreating(false)}
        confirmLoading={create.isPending}
        okText={t('common.create')}
        cancelText={t('common.cancel')}
      >
        <Form form={form} layout="vertical">
          <Form.Item name="name" label={t('apiKeys.name')} rules={[{ required: true, max: 100 }]}>
            <Input autoFocus />
          </Form.Item>
          <Form.Item
            name="scopes"
            label={t('apiKeys.scopes')}
            rules={[{ required: true, type: 'array', min: 1 }]}
          >
            <Checkbox.Group options={grantable.map((p) => ({ value: p, label: t(`perm.${p}`) }))} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={secret !== null}
        title={t('apiKeys.secretTitle')}
        onOk={() => setSecret(null)}
        onCancel={() => setSecret(null)}
        cancelButtonProps={{ style: { display: 'none' } }}
      >
        <Alert type="warning" showIcon message={t('apiKeys.secretWarning')} style={{ marginBottom: 16 }} />
        <Typography.Paragraph copyable={{ text: secret ?? '' }} code data-testid="api-key-secret">
          {secret}
        </Typography.Paragraph>
      </Modal>
    </Card>
  );
}
