import type { LifecycleModel, RfmModel, UpdateStratification } from '@pond/contracts';
import { PondApiError } from '@pond/sdk';
import { App, Button, Card, Form, type FormInstance, InputNumber, Select, Space, Typography } from 'antd';
import { useEffect } from 'react';
import { useUpdateStratification } from '../../api/use-stratification.ts';
import { errorText } from '../../components/api-error.ts';
import { type MessageKey, useI18n } from '../../i18n/i18n.tsx';

/** Saves one part of the model; a refusal lands on the field it names (`body.rfm.recencyDays.1`). */
function useSave<T>(part: 'lifecycle' | 'rfm', form: FormInstance<T>) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const update = useUpdateStratification();
  const save = async () => {
    const values = await form.validateFields();
    try {
      await update.mutateAsync({ [part]: values } as UpdateStratification);
      message.success(t('stratification.saved'));
    } catch (e) {
      const prefix = `body.${part}.`;
      if (e instanceof PondApiError && e.field?.startsWith(prefix)) {
        const name = e.field
          .slice(prefix.length)
          .split('.')
          .map((x) => (/^\d+$/.test(x) ? Number(x) : x));
        form.setFields([{ name: name as never, errors: [e.message] }]);
      } else message.error(errorText(e));
    }
  };
  return { save, saving: update.isPending };
}

const DAYS = { min: 1, max: 3650, precision: 0 } as const;

function SaveButton({ onClick, loading }: { onClick: () => void; loading: boolean }) {
  const { t } = useI18n();
  return (
    <Button type="primary" onClick={onClick} loading={loading}>
      {t('stratification.saveAndRecompute')}
    </Button>
  );
}

export function LifecycleForm({ model, editable }: { model: LifecycleModel; editable: boolean }) {
  const { t } = useI18n();
  const [form] = Form.useForm<LifecycleModel>();
  useEffect(() => form.setFieldsValue(model), [form, model]);
  const { save, saving } = useSave('lifecycle', form);
  const days = (name: keyof LifecycleModel, label: MessageKey) => (
    <Form.Item name={name} label={t(label)} rules={[{ required: true }]}>
      <InputNumber {...DAYS} addonAfter={t('stratification.days')} style={{ width: 200 }} />
    </Form.Item>
  );
  return (
    <Card
      title={t('stratification.lifecycleModel')}
      size="small"
      extra={editable ? <SaveButton onClick={save} loading={saving} /> : null}
    >
      <Typography.Paragraph type="secondary">{t('stratification.lifecycleHelp')}</Typography.Paragraph>
      <Form form={form} layout="vertical" initialValues={model} disabled={!editable}>
        <Form.Item name="inactivityBasis" label={t('stratification.inactivityBasis')}>
          <Select
            style={{ width: 240 }}
            options={(['activity', 'purchase'] as const).map((value) => ({
              value,
              label: t(`stratification.basis.${value}`),
            }))}
          />
        </Form.Item>
        {days('churnedAfterDays', 'stratification.churnedAfterDays')}
        {days('atRiskAfterDays', 'stratification.atRiskAfterDays')}
        <Form.Item
          name="loyalMinOrders"
          label={t('stratification.loyalMinOrders')}
          rules={[{ required: true }]}
        >
          <InputNumber min={1} precision={0} style={{ width: 200 }} />
        </Form.Item>
        <Form.Item name="loyalMinSpend" label={t('stratification.loyalMinSpend')}>
          <InputNumber min={0} style={{ width: 200 }} />
        </Form.Item>
        {days('newWithinDays', 'stratification.newWithinDays')}
      </Form>
    </Card>
  );
}

const BINS = [0, 1, 2, 3] as const;

export function RfmForm({ model, editable }: { model: RfmModel; editable: boolean }) {
  const { t } = useI18n();
  const [form] = Form.useForm<RfmModel>();
  useEffect(() => form.setFieldsValue(model), [form, model]);
  const { save, saving } = useSave('rfm', form);
  const bins = (name: 'recencyDays' | 'frequencyOrders' | 'monetarySpend', label: MessageKey) => (
    <Form.Item label={t(label)} required>
      <Space wrap>
        {BINS.map((i) => (
          <Form.Item key={i} name={[name, i]} noStyle rules={[{ required: true }]}>
            <InputNumber
              aria-label={`${t(label)} ${i + 1}`}
              min={name === 'monetarySpend' ? 0 : 1}
              precision={name === 'monetarySpend' ? 2 : 0}
              style={{ width: 110 }}
            />
          </Form.Item>
        ))}
      </Space>
    </Form.Item>
  );
  return (
    <Card
      title={t('stratification.rfmModel')}
      size="small"
      extra={editable ? <SaveButton onClick={save} loading={saving} /> : null}
    >
      <Typography.Paragraph type="secondary">{t('stratification.rfmHelp')}</Typography.Paragraph>
      <Form form={form} layout="vertical" initialValues={model} disabled={!editable}>
        {bins('recencyDays', 'stratification.recencyDays')}
        {bins('frequencyOrders', 'stratification.frequencyOrders')}
        {bins('monetarySpend', 'stratification.monetarySpend')}
        <Form.Item name="highFrom" label={t('stratification.highFrom')} rules={[{ required: true }]}>
          <InputNumber min={2} max={5} precision={0} style={{ width: 120 }} />
        </Form.Item>
      </Form>
    </Card>
  );
}
