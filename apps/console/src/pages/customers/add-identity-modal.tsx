import { type IdentityType, NAMESPACED_IDENTITIES } from '@pond/contracts';
import { App, Form, Input, Modal, Select } from 'antd';
import { useAttachIdentities } from '../../api/use-customers.ts';
import { errorText } from '../../components/api-error.ts';
import { useI18n } from '../../i18n/i18n.tsx';

const TYPES: readonly IdentityType[] = [
  'phone',
  'email',
  'member_id',
  'user_id',
  'wecom_external_userid',
  'wechat_unionid',
  'wechat_openid',
  'marketplace_buyer_id',
];

interface Values {
  type: IdentityType;
  namespace?: string;
  value: string;
}

/**
 * Adds an identifier to a customer. One another profile already holds merges that profile in
 * (or is reported as a conflict), exactly as OneID does for incoming data.
 */
export function AddIdentityModal({
  customerId,
  open,
  onClose,
}: {
  customerId: string;
  open: boolean;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const attach = useAttachIdentities(customerId);
  const [form] = Form.useForm<Values>();
  const type = Form.useWatch('type', form);
  return (
    <Modal
      open={open}
      title={t('customers.addIdentity')}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={attach.isPending}
      onCancel={onClose}
      destroyOnHidden
      onOk={async () => {
        const v = await form.validateFields();
        try {
          const r = await attach.mutateAsync({
            identities: [
              { type: v.type, value: v.value, ...(v.namespace ? { namespace: v.namespace } : {}) },
            ],
          });
          for (const c of r.conflicts) message.warning(`${c.identity.type} ${c.identity.value}: ${c.reason}`);
          if (r.conflicts.length === 0) message.success(t('common.saved'));
          onClose();
        } catch (e) {
          message.error(errorText(e));
        }
      }}
    >
      <Form form={form} layout="vertical" initialValues={{ type: 'phone' }} preserve={false}>
        <Form.Item name="type" label={t('customers.identityType')} rules={[{ required: true }]}>
          <Select options={TYPES.map((v) => ({ value: v, label: v }))} />
        </Form.Item>
        {type && NAMESPACED_IDENTITIES.has(type) && (
          <Form.Item name="namespace" label="namespace" rules={[{ required: true, max: 64 }]}>
            <Input placeholder={type === 'wechat_openid' ? 'wx1234567890abcdef' : 'tmall'} />
          </Form.Item>
        )}
        <Form.Item name="value" label={t('customers.identityValue')} rules={[{ required: true, max: 256 }]}>
          <Input autoFocus />
        </Form.Item>
      </Form>
    </Modal>
  );
}
