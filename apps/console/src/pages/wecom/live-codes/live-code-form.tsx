import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import type { CreateLiveCode, LiveCode, WelcomeAttachment } from '@pond/contracts';
import {
  App,
  Button,
  Card,
  Checkbox,
  Drawer,
  Form,
  Input,
  InputNumber,
  Select,
  Space,
  Switch,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTagGroups } from '../../../api/use-tags.ts';
import { useCreateLiveCode, useUpdateLiveCode, useWeComStaff } from '../../../api/use-wecom-live-codes.ts';
import { errorText, showFieldError } from '../../../components/api-error.ts';
import { useI18n } from '../../../i18n/i18n.tsx';

interface FormValues {
  name: string;
  state?: string;
  skipVerify: boolean;
  pool: {
    staffId: string;
    dailyCap?: number | null;
    schedule?: { weekdays: number[]; from: string; to: string }[];
  }[];
  fallbackStaffId?: string;
  welcomeOn: boolean;
  welcomeText?: string;
  attachments?: Partial<WelcomeAttachment>[];
  tagIds?: string[];
  autoRemark?: string;
}

const ATTACHMENT_FIELDS: Record<WelcomeAttachment['type'], string[]> = {
  image: ['mediaId', 'picUrl'],
  link: ['title', 'url', 'picUrl', 'desc'],
  miniprogram: ['title', 'picMediaId', 'appId', 'page'],
  video: ['mediaId'],
  file: ['mediaId'],
};
const REQUIRED = new Set(['title', 'url', 'picMediaId', 'appId', 'page']);
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

function toValues(code: LiveCode | null): FormValues {
  if (!code) return { name: '', skipVerify: true, pool: [{ staffId: '' }], welcomeOn: false };
  return {
    name: code.name,
    state: code.state,
    skipVerify: code.skipVerify,
    pool: code.pool.map((m) => ({ staffId: m.staffId, dailyCap: m.dailyCap, schedule: m.schedule })),
    ...(code.fallbackStaffId ? { fallbackStaffId: code.fallbackStaffId } : {}),
    welcomeOn: code.welcome !== null,
    ...(code.welcome?.text ? { welcomeText: code.welcome.text } : {}),
    attachments: code.welcome?.attachments ?? [],
    tagIds: code.tagIds,
    ...(code.autoRemark ? { autoRemark: code.autoRemark } : {}),
  };
}

function toBody(v: FormValues): CreateLiveCode {
  const clean = (o: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined && x !== ''));
  return {
    name: v.name,
    ...(v.state ? { state: v.state } : {}),
    skipVerify: v.skipVerify,
    pool: v.pool.map((m) => ({
      staffId: m.staffId,
      dailyCap: m.dailyCap ?? null,
      schedule: m.schedule ?? [],
    })),
    fallbackStaffId: v.fallbackStaffId ?? null,
    welcome: v.welcomeOn
      ? {
          ...(v.welcomeText ? { text: v.welcomeText } : {}),
          attachments: (v.attachments ?? []).map((a) => clean(a) as WelcomeAttachment),
        }
      : null,
    tagIds: v.tagIds ?? [],
    autoRemark: v.autoRemark ? v.autoRemark : null,
  };
}

/** The live code form in a drawer: pool with caps and schedules, welcome message, tags, remark. */
export function LiveCodeForm({
  code,
  open,
  onClose,
}: {
  code: LiveCode | null;
  open: boolean;
  onClose(): void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<FormValues>();
  const [staffQuery, setStaffQuery] = useState('');
  const staff = useWeComStaff(staffQuery);
  const tagGroups = useTagGroups();
  const create = useCreateLiveCode();
  const update = useUpdateLiveCode();
  const welcomeOn = Form.useWatch('welcomeOn', form);
  const staffOptions = [
    ...(staff.data ?? []).map((s) => ({ value: s.id, label: `${s.name}（${s.wecomUserId}）` })),
    ...(code?.pool ?? [])
      .filter((m) => !(staff.data ?? []).some((s) => s.id === m.staffId))
      .map((m) => ({ value: m.staffId, label: `${m.name}（${m.userId}）` })),
  ];
  const tagOptions = (tagGroups.data ?? []).map((g) => ({
    label: g.name,
    options: g.tags
      .filter((tag) => tag.archivedAt === null)
      .map((tag) => ({ value: tag.id, label: tag.name })),
  }));

  const submit = async (v: FormValues) => {
    const body = toBody(v);
    try {
      if (code) {
        const { state: _state, ...rest } = body;
        await update.mutateAsync({ id: code.id, body: rest });
      } else await create.mutateAsync(body);
      message.success(t('lc.saved'));
      onClose();
    } catch (e) {
      if (!showFieldError(form, e)) message.error(errorText(e));
    }
  };

  return (
    <Drawer
      open={open}
      onClose={onClose}
      width={720}
      destroyOnHidden
      title={code ? t('lc.edit') : t('lc.new')}
      extra={
        <Button type="primary" loading={create.isPending || update.isPending} onClick={() => form.submit()}>
          {t('lc.save')}
        </Button>
      }
    >
      <Form<FormValues> form={form} layout="vertical" initialValues={toValues(code)} onFinish={submit}>
        <Form.Item name="name" label={t('lc.name')} rules={[{ required: true, max: 60 }]}>
          <Input />
        </Form.Item>
        <Form.Item
          name="state"
          label={t('lc.state')}
          extra={t('lc.stateHelp')}
          rules={[{ pattern: /^[A-Za-z0-9_.-]{1,30}$/, message: t('lc.stateHelp') }]}
        >
          <Input disabled={code !== null} maxLength={30} />
        </Form.Item>
        <Form.Item name="skipVerify" valuePropName="checked">
          <Checkbox>{t('lc.skipVerify')}</Checkbox>
        </Form.Item>
        <Typography.Title level={5}>{t('lc.pool')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('lc.poolHelp')}</Typography.Paragraph>
        <Form.List name="pool">
          {(fields, { add, remove }) => (
            <Space direction="vertical" style={{ width: '100%' }}>
              {fields.map((field) => (
                <Card key={field.key} size="small">
                  <Space align="start" wrap>
                    <Form.Item
                      name={[field.name, 'staffId']}
                      label={t('lc.member')}
                      rules={[{ required: true }]}
                      style={{ minWidth: 260 }}
                    >
                      <Select
                        showSearch
                        filterOption={false}
                        onSearch={setStaffQuery}
                        options={staffOptions}
                        loading={staff.isPending}
                      />
                    </Form.Item>
                    <Form.Item name={[field.name, 'dailyCap']} label={t('lc.dailyCap')}>
                      <InputNumber min={1} max={10000} placeholder={t('lc.noCap')} />
                    </Form.Item>
                    <Button
                      aria-label={t('lc.delete')}
                      icon={<DeleteOutlined />}
                      disabled={fields.length === 1}
                      onClick={() => remove(field.name)}
                      style={{ marginTop: 30 }}
                    />
                  </Space>
                  <Form.List name={[field.name, 'schedule']}>
                    {(windows, ops) => (
                      <>
                        {windows.map((w) => (
                          <Space key={w.key} align="start" wrap>
                            <Form.Item name={[w.name, 'weekdays']} rules={[{ required: true }]}>
                              <Checkbox.Group
                                options={[1, 2, 3, 4, 5, 6, 7].map((d) => ({
                                  value: d,
                                  label: t('lc.weekdayLetters').charAt(d - 1),
                                }))}
                              />
                            </Form.Item>
                            <Form.Item name={[w.name, 'from']} rules={[{ required: true, pattern: HHMM }]}>
                              <Input placeholder="09:00" style={{ width: 80 }} aria-label={t('lc.from')} />
                            </Form.Item>
                            <Form.Item name={[w.name, 'to']} rules={[{ required: true, pattern: HHMM }]}>
                              <Input placeholder="18:00" style={{ width: 80 }} aria-label={t('lc.to')} />
                            </Form.Item>
                            <Button icon={<DeleteOutlined />} onClick={() => ops.remove(w.name)} />
                          </Space>
                        ))}
                        <Button
                          size="small"
                          type="dashed"
                          icon={<PlusOutlined />}
                          onClick={() => ops.add({ weekdays: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' })}
                        >
                          {t('lc.addWindow')}
                        </Button>
                        {windows.length === 0 ? (
                          <Typography.Text type="secondary" style={{ marginLeft: 8 }}>
                            {t('lc.schedule')}: {t('lc.always')}
                          </Typography.Text>
                        ) : null}
                      </>
                    )}
                  </Form.List>
                </Card>
              ))}
              <Button
                type="dashed"
                icon={<PlusOutlined />}
                disabled={fields.length >= 100}
                onClick={() => add({ staffId: '' })}
              >
                {t('lc.addMember')}
              </Button>
            </Space>
          )}
        </Form.List>
        <Form.Item
          name="fallbackStaffId"
          label={t('lc.fallback')}
          extra={t('lc.fallbackHelp')}
          style={{ marginTop: 16 }}
        >
          <Select
            allowClear
            showSearch
            filterOption={false}
            onSearch={setStaffQuery}
            options={staffOptions}
          />
        </Form.Item>
        <Typography.Title level={5}>{t('lc.welcome')}</Typography.Title>
        <Form.Item name="welcomeOn" valuePropName="checked" label={t('lc.welcomeOn')}>
          <Switch />
        </Form.Item>
        {welcomeOn ? (
          <>
            <Form.Item name="welcomeText" label={t('lc.welcomeText')}>
              <Input.TextArea rows={3} maxLength={1300} showCount />
            </Form.Item>
            <Form.List name="attachments">
              {(fields, { add, remove }) => (
                <Space direction="vertical" style={{ width: '100%' }}>
                  <Typography.Text>{t('lc.attachments')}</Typography.Text>
                  {fields.map((field) => (
                    <Card key={field.key} size="small">
                      <Form.Item noStyle shouldUpdate>
                        {() => {
                          const type = form.getFieldValue(['attachments', field.name, 'type']) as
                            | WelcomeAttachment['type']
                            | undefined;
                          return (
                            <Space align="start" wrap>
                              <Form.Item name={[field.name, 'type']} rules={[{ required: true }]}>
                                <Select
                                  style={{ width: 110 }}
                                  options={(['image', 'link', 'miniprogram', 'video', 'file'] as const).map(
                                    (x) => ({ value: x, label: t(`lc.att.${x}`) }),
                                  )}
                                />
                              </Form.Item>
                              {(type ? ATTACHMENT_FIELDS[type] : []).map((name) => (
                                <Form.Item
                                  key={name}
                                  name={[field.name, name]}
                                  rules={[
                                    {
                                      required:
                                        REQUIRED.has(name) || (type !== 'image' && name === 'mediaId'),
                                    },
                                  ]}
                                >
                                  <Input
                                    placeholder={t(`lc.att.${name}` as 'lc.att.title')}
                                    aria-label={t(`lc.att.${name}` as 'lc.att.title')}
                                  />
                                </Form.Item>
                              ))}
                              <Button icon={<DeleteOutlined />} onClick={() => remove(field.name)} />
                            </Space>
                          );
                        }}
                      </Form.Item>
                    </Card>
                  ))}
                  <Button
                    type="dashed"
                    icon={<PlusOutlined />}
                    disabled={fields.length >= 9}
                    onClick={() => add({ type: 'link' })}
                  >
                    {t('lc.addAttachment')}
                  </Button>
                </Space>
              )}
            </Form.List>
          </>
        ) : null}
        <Form.Item name="tagIds" label={t('lc.tags')} style={{ marginTop: 16 }}>
          <Select mode="multiple" options={tagOptions} optionFilterProp="label" />
        </Form.Item>
        <Form.Item name="autoRemark" label={t('lc.autoRemark')} extra={t('lc.autoRemarkHelp')}>
          <Input maxLength={40} />
        </Form.Item>
      </Form>
    </Drawer>
  );
}
