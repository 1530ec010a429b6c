import type { Staff } from '@pond/contracts';
import { App, Button, Drawer, Form, Input, Space, TreeSelect } from 'antd';
import { useEffect } from 'react';
import { useCreateStaff, useUpdateStaff } from '../../api/use-staff.ts';
import { errorText, showFieldError } from '../../components/api-error.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { UnitNode } from './unit-tree.ts';

export type StaffDrawerState = { mode: 'create'; orgUnitId: string } | { mode: 'edit'; staff: Staff } | null;

interface StaffForm {
  name: string;
  orgUnitId: string;
  mobile?: string;
  email?: string;
  wecomUserId?: string;
  title?: string;
}

const blankToUndefined = (v?: string) => (v?.trim() ? v.trim() : undefined);
const blankToNull = (v?: string) => (v?.trim() ? v.trim() : null);

export function StaffDrawer({
  state,
  tree,
  onClose,
}: {
  state: StaffDrawerState;
  tree: UnitNode[];
  onClose: () => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<StaffForm>();
  const create = useCreateStaff();
  const update = useUpdateStaff();

  useEffect(() => {
    if (!state) return;
    form.resetFields();
    if (state.mode === 'create') form.setFieldsValue({ orgUnitId: state.orgUnitId });
    else {
      const s = state.staff;
      form.setFieldsValue({
        name: s.name,
        orgUnitId: s.orgUnitId,
        mobile: s.mobile ?? undefined,
        email: s.email ?? undefined,
        wecomUserId: s.wecomUserId ?? undefined,
        title: s.title ?? undefined,
      });
    }
  }, [state, form]);

  const submit = async () => {
    const v = await form.validateFields();
    try {
      if (state?.mode === 'create') {
        await create.mutateAsync({
          name: v.name,
          orgUnitId: v.orgUnitId,
          mobile: blankToUndefined(v.mobile),
          email: blankToUndefined(v.email),
          wecomUserId: blankToUndefined(v.wecomUserId),
          title: blankToUndefined(v.title),
        });
      } else if (state?.mode === 'edit') {
        const before = state.staff;
        await update.mutateAsync({
          id: before.id,
          body: {
            name: v.name,
            orgUnitId: v.orgUnitId,
            // A masked number comes back unchanged; sending it would overwrite the real one.
            ...(v.mobile !== (before.mobile ?? undefined) ? { mobile: blankToNull(v.mobile) } : {}),
            ...(v.email !== (before.email ?? undefined) ? { email: blankToNull(v.email) } : {}),
            wecomUserId: blankToNull(v.wecomUserId),
            title: blankToNull(v.title),
          },
        });
      }
      message.success(t('common.saved'));
      onClose();
    } catch (e) {
      if (!showFieldError(form, e)) message.error(errorText(e));
    }
  };

  return (
    <Drawer
      open={state !== null}
      title={state?.mode === 'edit' ? t('staff.edit') : t('staff.add')}
      onClose={onClose}
      width={420}
      destroyOnHidden
      extra={
        <Space>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" onClick={submit} loading={create.isPending || update.isPending}>
            {t('common.save')}
          </Button>
        </Space>
      }
    >
      <Form form={form} layout="vertical">
        <Form.Item name="name" label={t('staff.name')} rules={[{ required: true, max: 100 }]}>
          <Input autoFocus />
        </Form.Item>
        <Form.Item name="orgUnitId" label={t('staff.unit')} rules={[{ required: true }]}>
          <TreeSelect treeData={tree} treeDefaultExpandAll />
        </Form.Item>
        <Form.Item name="mobile" label={t('staff.mobile')}>
          <Input />
        </Form.Item>
        <Form.Item name="email" label={t('staff.email')} rules={[{ type: 'email' }]}>
          <Input />
        </Form.Item>
        <Form.Item name="wecomUserId" label={t('staff.wecomUserId')}>
          <Input />
        </Form.Item>
        <Form.Item name="title" label={t('staff.jobTitle')}>
          <Input />
        </Form.Item>
      </Form>
    </Drawer>
  );
}
