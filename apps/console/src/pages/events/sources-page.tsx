import { PlusOutlined } from '@ant-design/icons';
import type { Source } from '@pond/contracts';
import {
  Alert,
  App,
  Button,
  Card,
  Form,
  Input,
  Modal,
  Popconfirm,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useCreateSource, useSources, useUpdateSource } from '../../api/use-events.ts';
import { errorText } from '../../components/api-error.ts';
import { usePermissions } from '../../components/app-layout.tsx';
import { formatTime } from '../../components/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';

export function SourcesPage() {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const canManage = usePermissions().has('sources.manage');
  const sources = useSources();
  const create = useCreateSource();
  const update = useUpdateSource();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<{ name: string }>();
  const act = (p: Promise<unknown>) => p.catch((e: unknown) => message.error(errorText(e)));
  return (
    <Card
      title={t('sources.title')}
      extra={
        canManage ? (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)}>
            {t('sources.add')}
          </Button>
        ) : null
      }
    >
      <Alert type="info" showIcon message={t('sources.howTo')} style={{ marginBottom: 16 }} />
      <Table<Source>
        rowKey="id"
        loading={sources.isPending}
        dataSource={sources.data ?? []}
        pagination={false}
        columns={[
          { title: t('sources.name'), dataIndex: 'name' },
          {
            title: t('sources.writeKey'),
            dataIndex: 'writeKey',
            render: (k: string) => (
              <Typography.Text code copyable>
                {k}
              </Typography.Text>
            ),
          },
          {
            title: t('common.status'),
            dataIndex: 'disabledAt',
            render: (d: number | null) =>
              d ? <Tag>{t('sources.disabled')}</Tag> : <Tag color="green">{t('sources.active')}</Tag>,
          },
          {
            title: t('common.createdAt'),
            dataIndex: 'createdAt',
            render: (at: number) => formatTime(at, language),
          },
          ...(canManage
            ? [
                {
                  title: t('common.actions'),
                  key: 'actions',
                  render: (_: unknown, s: Source) => (
                    <Space size={0}>
                      <Button
                        type="link"
                        onClick={() =>
                          act(update.mutateAsync({ id: s.id, body: { disabled: !s.disabledAt } }))
                        }
                      >
                        {s.disabledAt ? t('sources.enable') : t('sources.disable')}
                      </Button>
                      <Popconfirm
                        title={t('sources.rotateConfirm')}
                        okText={t('common.confirm')}
                        cancelText={t('common.cancel')}
                        onConfirm={() => act(update.mutateAsync({ id: s.id, body: { rotateKey: true } }))}
                      >
                        <Button type="link" danger>
                          {t('sources.rotate')}
                        </Button>
                      </Popconfirm>
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      <Modal
        open={open}
        title={t('sources.add')}
        okText={t('common.create')}
        cancelText={t('common.cancel')}
        confirmLoading={create.isPending}
        onCancel={() => setOpen(false)}
        onOk={async () => {
          const v = await form.validateFields();
          await act(create.mutateAsync(v).then(() => setOpen(false)));
          form.resetFields();
        }}
      >
        <Form form={form} layout="vertical">
          <Form.Item name="name" label={t('sources.name')} rules={[{ required: true, max: 100 }]}>
            <Input autoFocus />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
