import { App, Form, Input, Modal } from 'antd';
import { useChangePassword } from '../api/use-auth.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { errorText, showFieldError } from './api-error.ts';

export function ChangePasswordModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ currentPassword: string; newPassword: string }>();
  const change = useChangePassword();
  const submit = async () => {
    const values = await form.validateFields();
    try {
      await change.mutateAsync(values);
      message.success(t('password.changed'));
      form.resetFields();
      onClose();
    } catch (e) {
      if (!showFieldError(form, e)) message.error(errorText(e));
    }
  };
  return (
    <Modal
      open={open}
      title={t('header.changePassword')}
      onOk={submit}
      onCancel={onClose}
      confirmLoading={change.isPending}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
    >
      <Form form={form} layout="vertical">
        <Form.Item name="currentPassword" label={t('password.current')} rules={[{ required: true }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item name="newPassword" label={t('password.new')} rules={[{ required: true, min: 10 }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
