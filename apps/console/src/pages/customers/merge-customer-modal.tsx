import type { Customer } from '@pond/contracts';
import { Alert, App, Input, List, Modal, Typography } from 'antd';
import { useState } from 'react';
import { useCustomerSearch, useMergeInto } from '../../api/use-customers.ts';
import { errorText } from '../../components/api-error.ts';
import { useI18n } from '../../i18n/i18n.tsx';

/** Finds another customer and folds it into this one; the merge history offers the undo. */
export function MergeCustomerModal({
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
  const [q, setQ] = useState('');
  const [picked, setPicked] = useState<Customer | null>(null);
  const found = useCustomerSearch(q);
  const merge = useMergeInto(customerId);
  const close = () => {
    setQ('');
    setPicked(null);
    onClose();
  };
  return (
    <Modal
      open={open}
      title={t('customers.mergeOther')}
      okText={t('common.confirm')}
      cancelText={t('common.cancel')}
      okButtonProps={{ disabled: !picked, danger: true }}
      confirmLoading={merge.isPending}
      onCancel={close}
      onOk={async () => {
        if (!picked) return;
        try {
          await merge.mutateAsync(picked.id);
          message.success(t('customers.mergeDone'));
          close();
        } catch (e) {
          message.error(errorText(e));
        }
      }}
    >
      <Alert type="warning" showIcon message={t('customers.mergeHint')} style={{ marginBottom: 12 }} />
      <Input.Search
        placeholder={t('customers.mergeSearch')}
        allowClear
        onSearch={(v) => {
          setQ(v);
          setPicked(null);
        }}
      />
      <List<Customer>
        size="small"
        loading={found.isFetching}
        dataSource={(found.data ?? []).filter((c) => c.id !== customerId)}
        locale={{ emptyText: q ? t('common.empty') : ' ' }}
        renderItem={(c) => (
          <List.Item
            onClick={() => setPicked(c)}
            style={{ cursor: 'pointer', background: picked?.id === c.id ? '#e6f4f1' : undefined }}
          >
            <List.Item.Meta
              title={c.name ?? t('customers.unnamed')}
              description={
                <Typography.Text type="secondary">
                  {[c.phone, c.email, c.id].filter(Boolean).join(' · ')}
                </Typography.Text>
              }
            />
          </List.Item>
        )}
      />
    </Modal>
  );
}
