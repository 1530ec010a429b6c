import { type Consent, ConsentChannel } from '@pond/contracts';
import { App, Button, Card, Form, Input, Modal, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import {
  useConsents,
  useEraseCustomer,
  useExportCustomerData,
  useRecordConsent,
} from '../../api/use-customers.ts';
import { errorText } from '../../components/api-error.ts';
import { usePermissions } from '../../components/app-layout.tsx';
import { formatTime } from '../../components/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';

/** Consent per purpose and channel; export and erasure for those who handle privacy requests. */
export function PrivacyCard({ customerId }: { customerId: string }) {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const canManage = usePermissions().has('privacy.manage');
  const consents = useConsents(customerId);
  const record = useRecordConsent(customerId);
  const exportData = useExportCustomerData(customerId);
  const erase = useEraseCustomer(customerId);
  const [form] = Form.useForm<{ purpose: string; channel: Consent['channel']; status: Consent['status'] }>();
  const [erasing, setErasing] = useState(false);
  const [typed, setTyped] = useState('');
  const [reason, setReason] = useState('');

  const download = async () => {
    try {
      const data = await exportData.mutateAsync();
      const url = URL.createObjectURL(
        new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }),
      );
      const a = Object.assign(document.createElement('a'), { href: url, download: `${customerId}.json` });
      a.click();
      URL.revokeObjectURL(url);
    } catch (e) {
      message.error(errorText(e));
    }
  };

  return (
    <Card title={t('privacy.title')} style={{ marginTop: 16 }}>
      <Table<Consent>
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={consents.data?.current ?? []}
        locale={{ emptyText: t('privacy.noConsents') }}
        columns={[
          { title: t('privacy.purpose'), dataIndex: 'purpose' },
          { title: t('privacy.channel'), dataIndex: 'channel' },
          {
            title: t('common.status'),
            dataIndex: 'status',
            render: (s: Consent['status']) => (
              <Tag color={s === 'granted' ? 'green' : 'red'}>{t(`privacy.${s}`)}</Tag>
            ),
          },
          { title: t('audit.time'), dataIndex: 'at', render: (at: number) => formatTime(at, language) },
        ]}
      />
      <Form
        form={form}
        layout="inline"
        style={{ marginTop: 12 }}
        initialValues={{ purpose: 'marketing', channel: 'wecom', status: 'granted' }}
        onFinish={(v) => record.mutateAsync(v).catch((e: unknown) => message.error(errorText(e)))}
      >
        <Form.Item name="purpose" rules={[{ required: true, pattern: /^[a-z][a-z0-9_]{0,49}$/ }]}>
          <Input style={{ width: 140 }} placeholder={t('privacy.purpose')} />
        </Form.Item>
        <Form.Item name="channel">
          <Select
            style={{ width: 110 }}
            options={ConsentChannel.options.map((c) => ({ value: c, label: c }))}
          />
        </Form.Item>
        <Form.Item name="status">
          <Select
            style={{ width: 110 }}
            options={(['granted', 'withdrawn'] as const).map((s) => ({ value: s, label: t(`privacy.${s}`) }))}
          />
        </Form.Item>
        <Button htmlType="submit" loading={record.isPending}>
          {t('privacy.record')}
        </Button>
      </Form>
      {canManage ? (
        <Space style={{ marginTop: 16 }}>
          <Button onClick={download} loading={exportData.isPending}>
            {t('privacy.export')}
          </Button>
          <Button danger onClick={() => setErasing(true)}>
            {t('privacy.erase')}
          </Button>
        </Space>
      ) : null}
      <Modal
        open={erasing}
        title={t('privacy.erase')}
        okText={t('privacy.erase')}
        okButtonProps={{ danger: true, disabled: typed !== customerId || !reason.trim() }}
        confirmLoading={erase.isPending}
        cancelText={t('common.cancel')}
        onCancel={() => setErasing(false)}
        onOk={() =>
          erase
            .mutateAsync(reason.trim())
            .then(() => setErasing(false))
            .catch((e: unknown) => message.error(errorText(e)))
        }
      >
        <p>{t('privacy.eraseWarning', { id: customerId })}</p>
        <Input
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          placeholder={customerId}
          style={{ marginBottom: 8 }}
        />
        <Input value={reason} onChange={(e) => setReason(e.target.value)} placeholder={t('privacy.reason')} />
      </Modal>
    </Card>
  );
}
