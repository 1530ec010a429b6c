import type { OrgUnit, OrgUnitKind } from '@pond/contracts';
import { App, Form, Input, Modal, Select, TreeSelect } from 'antd';
import { useEffect } from 'react';
import { useCreateOrgUnit, useUpdateOrgUnit } from '../../api/use-org-units.ts';
import { errorText, showFieldError } from '../../components/api-error.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { UnitNode } from './unit-tree.ts';

export type UnitModalState = { mode: 'create'; parent: OrgUnit } | { mode: 'edit'; unit: OrgUnit } | null;

interface UnitForm {
  name: string;
  kind: Exclude<OrgUnitKind, 'hq'>;
  code?: string;
  parentId?: string;
}

export function UnitModal({
  state,
  tree,
  onClose,
}: {
  state: UnitModalState;
  tree: UnitNode[];
  onClose: () => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<UnitForm>();
  const create = useCreateOrgUnit();
  const update = useUpdateOrgUnit();

  useEffect(() => {
    if (!state) return;
    form.resetFields();
    if (state.mode === 'create') {
      form.setFieldsValue({ kind: state.parent.kind === 'region' ? 'store' : 'region' });
    } else {
      const { name, kind, code, parentId } = state.unit;
      form.setFieldsValue({
        name,
        kind: kind === 'hq' ? 'region' : kind,
        code: code ?? undefined,
        parentId: parentId ?? undefined,
      });
    }
  }, [state, form]);

  const submit = async () => {
    const v = await form.validateFields();
    try {
      if (state?.mode === 'create') {
        await create.mutateAsync({
          parentId: state.parent.id,
          name: v.name,
          kind: v.kind,
          code: v.code || undefined,
        });
      } else if (state?.mode === 'edit') {
        const isHq = state.unit.kind === 'hq';
        await update.mutateAsync({
          id: state.unit.id,
          body: {
            name: v.name,
            code: v.code || null,
            ...(isHq ? {} : { kind: v.kind, parentId: v.parentId }),
          },
        });
      }
      message.success(t('common.saved'));
      onClose();
    } catch (e) {
      if (!showFieldError(form, e)) message.error(errorText(e));
    }
  };

  const editingHq = state?.mode === 'edit' && state.unit.kind === 'hq';
  return (
    <Modal
      open={state !== null}
      title={state?.mode === 'create' ? `${t('org.addUnit')} · ${state.parent.name}` : t('org.editUnit')}
      onOk={submit}
      onCancel={onClose}
      confirmLoading={create.isPending || update.isPending}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      destroyOnHidden
    >
      <Form form={form} layout="vertical">
        <Form.Item name="name" label={t('org.unitName')} rules={[{ required: true, max: 100 }]}>
          <Input autoFocus />
        </Form.Item>
        {editingHq ? null : (
          <Form.Item name="kind" label={t('org.unitKind')} rules={[{ required: true }]}>
            <Select
              options={(['region', 'store', 'department'] as const).map((k) => ({
                value: k,
                label: t(`org.kind.${k}`),
              }))}
            />
          </Form.Item>
        )}
        <Form.Item name="code" label={t('org.unitCode')} rules={[{ pattern: /^[A-Za-z0-9_-]{1,32}$/ }]}>
          <Input />
        </Form.Item>
        {state?.mode === 'edit' && !editingHq ? (
          <Form.Item name="parentId" label={t('org.moveUnit')}>
            <TreeSelect treeData={tree} treeDefaultExpandAll />
          </Form.Item>
        ) : null}
      </Form>
    </Modal>
  );
}
