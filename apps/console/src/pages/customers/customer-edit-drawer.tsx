import type { AttributeDefinition, CustomerDetail, UpdateCustomer } from '@pond/contracts';
import { App, Button, Divider, Drawer, Form, Input, InputNumber, Select, Space } from 'antd';
import { useAttributes } from '../../api/use-attributes.ts';
import { useUpdateCustomer } from '../../api/use-customers.ts';
import { errorText } from '../../components/api-error.ts';
import { useI18n } from '../../i18n/i18n.tsx';

const TEXT_FIELDS = [
  ['name', 'customers.name'],
  ['region', 'customers.region'],
  ['city', 'customers.city'],
  ['membershipLevel', 'customers.membership'],
  ['sourceChannel', 'customers.source'],
] as const;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** An empty input means "no value": `null` clears it on the server. */
const blank = (v: unknown) =>
  v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/** The input for one attribute's type; Form.Item passes `value` and `onChange` through. */
function AttributeInput({
  def,
  ...field
}: {
  def: AttributeDefinition;
  value?: unknown;
  onChange?: (v: unknown) => void;
}) {
  const { t } = useI18n();
  const props = field as Record<string, never>;
  switch (def.type) {
    case 'number':
      return <InputNumber style={{ width: '100%' }} {...props} />;
    case 'boolean':
      return (
        <Select
          allowClear
          options={[
            { value: true, label: t('common.yes') },
            { value: false, label: t('common.no') },
          ]}
          {...props}
        />
      );
    case 'enum':
      return (
        <Select allowClear options={(def.options ?? []).map((o) => ({ value: o, label: o }))} {...props} />
      );
    case 'list':
      return (
        <Select
          mode="multiple"
          allowClear
          options={(def.options ?? []).map((o) => ({ value: o, label: o }))}
          {...props}
        />
      );
    case 'date':
      return <Input placeholder="2026-05-17" {...props} />;
    default:
      return <Input {...props} />;
  }
}

/** Edits the standard profile fields and the brand's custom attributes; sends only what changed. */
export function CustomerEditDrawer({
  customer,
  open,
  onClose,
}: {
  customer: CustomerDetail;
  open: boolean;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const definitions = useAttributes();
  const update = useUpdateCustomer(customer.id);
  const [form] = Form.useForm<Record<string, unknown>>();

  const save = async () => {
    const v = await form.validateFields();
    const body: Record<string, unknown> = {};
    for (const [field] of TEXT_FIELDS) {
      const next = blank(v[field]) ? null : String(v[field]).trim();
      if (next !== customer[field]) body[field] = next;
    }
    if (v.gender !== customer.gender) body.gender = v.gender;
    const birthday = blank(v.birthday) ? null : String(v.birthday);
    if (birthday !== customer.birthday) body.birthday = birthday;
    const attributes: Record<string, unknown> = {};
    const values = (v.attributes ?? {}) as Record<string, unknown>;
    for (const def of definitions.data ?? []) {
      const before = customer.attributes[def.key];
      const next = blank(values[def.key]) ? null : values[def.key];
      if (JSON.stringify(next) !== JSON.stringify(before ?? null)) attributes[def.key] = next;
    }
    if (Object.keys(attributes).length > 0) body.attributes = attributes;
    try {
      if (Object.keys(body).length > 0) await update.mutateAsync(body as UpdateCustomer);
      message.success(t('common.saved'));
      onClose();
    } catch (e) {
      message.error(errorText(e));
    }
  };

  const initial: Record<string, unknown> = {
    ...Object.fromEntries(TEXT_FIELDS.map(([f]) => [f, customer[f] ?? ''])),
    gender: customer.gender,
    birthday: customer.birthday ?? '',
    attributes: customer.attributes,
  };

  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={t('customers.edit')}
      size={440}
      destroyOnHidden
      extra={
        <Space>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={update.isPending} onClick={save}>
            {t('common.save')}
          </Button>
        </Space>
      }
    >
      <Form form={form} layout="vertical" initialValues={initial}>
        {TEXT_FIELDS.map(([field, label]) => (
          <Form.Item
            key={field}
            name={field}
            label={t(label)}
            rules={[{ max: field === 'name' ? 200 : 100 }]}
          >
            <Input />
          </Form.Item>
        ))}
        <Form.Item name="gender" label={t('customers.gender')}>
          <Select
            options={(['male', 'female', 'unknown'] as const).map((g) => ({
              value: g,
              label: t(`customers.gender.${g}`),
            }))}
          />
        </Form.Item>
        <Form.Item
          name="birthday"
          label={t('customers.birthday')}
          rules={[{ pattern: DATE, message: '2026-05-17' }]}
        >
          <Input placeholder="1990-05-17" />
        </Form.Item>
        {(definitions.data ?? []).length > 0 && <Divider>{t('customers.attributes')}</Divider>}
        {(definitions.data ?? []).map((def) => (
          <Form.Item
            key={def.key}
            name={['attributes', def.key]}
            label={def.label}
            rules={def.type === 'date' ? [{ pattern: DATE, message: '2026-05-17' }] : []}
          >
            <AttributeInput def={def} />
          </Form.Item>
        ))}
      </Form>
    </Drawer>
  );
}
