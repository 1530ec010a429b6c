import { PlusOutlined } from '@ant-design/icons';
import type { AttributeDefinition, AttributeType } from '@pond/contracts';
import { Alert, App, Button, Card, Form, Input, Modal, Select, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useAttributes, useCreateAttribute, useUpdateAttribute } from '../../api/use-attributes.ts';
import { errorText } from '../../components/api-error.ts';
import { usePermissions } from '../../components/app-layout.tsx';
import { formatTime } from '../../components/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { IdentityPriorityCard } from './identity-priority-card.tsx';

const TYPES: readonly AttributeType[] = ['string', 'number', 'boolean', 'date', 'enum', 'list'];
const hasOptions = (type: AttributeType | undefined) => type === 'enum' || type === 'list';

interface Values {
  key: string;
  label: string;
  type: AttributeType;
  options?: string[];
}

/** The brand's own customer fields: key, label, type and, for choices, the allowed values. */
export function AttributesPage() {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const canManage = usePermissions().has('customers.configure');
  const attributes = useAttributes();
  const create = useCreateAttribute();
  const update = useUpdateAttribute();
  const [editing, setEditing] = useState<AttributeDefinition | 'new' | null>(null);
  const [form] = Form.useForm<Values>();
  const type = Form.useWatch('type', form);

  const open = (d: AttributeDefinition | 'new') => {
    setEditing(d);
    form.resetFields();
    if (d !== 'new') form.setFieldsValue({ ...d, options: d.options ?? undefined });
  };
  const save = async () => {
    const v = await form.validateFields();
    try {
      if (editing === 'new') {
        await create.mutateAsync({ ...v, options: hasOptions(v.type) ? v.options : undefined });
      } else if (editing) {
        await update.mutateAsync({
          key: editing.key,
          body: { label: v.label, ...(hasOptions(editing.type) ? { options: v.options } : {}) },
        });
      }
      message.success(t('common.saved'));
      setEditing(null);
    } catch (e) {
      message.error(errorText(e));
    }
  };

  return (
    <div style={{ display: 'grid', gap: 16 }}>
      <Card
        title={t('attributes.title')}
        extra={
          canManage ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')}>
              {t('attributes.add')}
            </Button>
          ) : null
        }
      >
        <Alert type="info" showIcon message={t('attributes.howTo')} style={{ marginBottom: 16 }} />
        <Table<AttributeDefinition>
          rowKey="key"
          loading={attributes.isPending}
          dataSource={attributes.data ?? []}
          pagination={false}
          locale={{ emptyText: t('attributes.empty') }}
          columns={[
            { title: t('attributes.label'), dataIndex: 'label' },
            {
              title: t('attributes.key'),
              dataIndex: 'key',
              render: (k: string) => <Typography.Text code>{k}</Typography.Text>,
            },
            {
              title: t('attributes.type'),
              dataIndex: 'type',
              render: (ty: AttributeType) => t(`attributes.type.${ty}`),
            },
            {
              title: t('attributes.options'),
              dataIndex: 'options',
              render: (o: string[] | null) => (o ? o.map((x) => <Tag key={x}>{x}</Tag>) : '—'),
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
                    render: (_: unknown, d: AttributeDefinition) => (
                      <Button type="link" onClick={() => open(d)}>
                        {t('common.edit')}
                      </Button>
                    ),
                  },
                ]
              : []),
          ]}
        />
        <Modal
          open={editing !== null}
          title={editing === 'new' ? t('attributes.add') : t('common.edit')}
          okText={t('common.save')}
          cancelText={t('common.cancel')}
          confirmLoading={create.isPending || update.isPending}
          onCancel={() => setEditing(null)}
          onOk={save}
          destroyOnHidden
        >
          <Form form={form} layout="vertical" initialValues={{ type: 'string' }}>
            <Form.Item name="label" label={t('attributes.label')} rules={[{ required: true, max: 100 }]}>
              <Input autoFocus />
            </Form.Item>
            <Form.Item
              name="key"
              label={t('attributes.key')}
              extra={t('attributes.keyHint')}
              rules={[
                { required: true, pattern: /^[a-z][a-z0-9_]{0,39}$/, message: t('attributes.keyRule') },
              ]}
            >
              <Input disabled={editing !== 'new'} placeholder="vip_tier" />
            </Form.Item>
            <Form.Item name="type" label={t('attributes.type')} rules={[{ required: true }]}>
              <Select
                disabled={editing !== 'new'}
                options={TYPES.map((ty) => ({ value: ty, label: t(`attributes.type.${ty}`) }))}
              />
            </Form.Item>
            {hasOptions(editing === 'new' || editing === null ? type : editing.type) && (
              <Form.Item
                name="options"
                label={t('attributes.options')}
                extra={t('attributes.optionsHint')}
                rules={[{ required: true, type: 'array', min: 1 }]}
              >
                <Select mode="tags" tokenSeparators={[',', '，']} open={false} />
              </Form.Item>
            )}
          </Form>
        </Modal>
      </Card>
      <IdentityPriorityCard />
    </div>
  );
}
