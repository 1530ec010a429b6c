import { Role, type User } from '@pond/contracts';
import { App, Form, Input, Modal, Select, TreeSelect } from 'antd';
import { useEffect } from 'react';
import { useCreateUser, useUpdateUser } from '../../api/use-access.ts';
import { errorText, showFieldError } from '../../components/api-error.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { UnitNode } from '../org/unit-tree.ts';

export type UserModalState = { mode: 'create' } | { mode: 'edit'; user: User } | null;

interface UserForm {
  name: string;
  email?: string;
  mobile?: string;
  password?: string;
  role: Role;
  scopeUnitId?: string;
  status?: User['status'];
}

export function UserModal({
  state,
  tree,
  onClose,
}: {
  state: UserModalState;
  tree: UnitNode[];
  onClose: () => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<UserForm>();
  const create = useCreateUser();
  const update = useUpdateUser();

  useEffect(() => {
    if (!state) return;
    form.resetFields();
    if (state.mode === 'edit') {
      const { name, role, scopeUnitId, status } = state.user;
      form.setFieldsValue({ name, role, scopeUnitId, status });
    } else form.setFieldsValue({ role: 'operator' });
  }, [state, form]);

  const submit = async () => {
    const v = await form.validateFields();
    try {
      if (state?.mode === 'create') {
        await create.mutateAsync({
          name: v.name,
          email: v.email?.trim() || undefined,
          mobile: v.mobile?.trim() || undefined,
          password: v.password ?? '',
          role: v.role,
          scopeUnitId: v.scopeUnitId,
          locale: 'zh-CN',
        });
      } else if (state?.mode === 'edit') {
        await update.mutateAsync({
          id: state.user.id,
          body: { name: v.name, role: v.role, scopeUnitId: v.scopeUnitId, status: v.status },
        });
      }
      message.success(t('common.saved'));
      onClose();
    } catch (e) {
      if (!showFieldError(form, e)) message.error(errorText(e));
    }
  };

  const creating = state?.mode === 'create';
  return (
    <Modal
      open={state !== null}
      title={creating ? t('users.add') : t('users.edit')}
      onOk={submit}
      onCancel={onClose}
      confirmLoading={create.isPending || update.isPending}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      destroyOnHidden
    >
      <Form form={form} layout="vertical">
        <Form.Item name="name" label={t('users.name')} rules={[{ required: true, max: 100 }]}>
          <Input autoFocus />
        </Form.Item>
        {creating ? (
          <>
            <Form.Item
              name="email"
              label={t('users.email')}
              rules={[{ type: 'email' }]}
              extra={t('users.identifierHint')}
            >
              <Input />
            </Form.Item>
            <Form.Item name="mobile" label={t('users.mobile')}>
              <Input />
            </Form.Item>
            <Form.Item name="password" label={t('users.password')} rules={[{ required: true, min: 10 }]}>
              <Input.Password autoComplete="new-password" />
            </Form.Item>
          </>
        ) : (
          <Form.Item name="status" label={t('common.status')}>
            <Select
              options={(['active', 'disabled'] as const).map((s) => ({
                value: s,
                label: t(`users.status.${s}`),
              }))}
            />
          </Form.Item>
        )}
        <Form.Item name="role" label={t('users.role')} rules={[{ required: true }]}>
          <Select options={Role.options.map((r) => ({ value: r, label: t(`role.${r}`) }))} />
        </Form.Item>
        <Form.Item name="scopeUnitId" label={t('users.scope')}>
          <TreeSelect treeData={tree} treeDefaultExpandAll allowClear />
        </Form.Item>
      </Form>
    </Modal>
  );
}
