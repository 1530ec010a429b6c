import {
  CheckCircleTwoTone,
  CloseCircleTwoTone,
  CopyOutlined,
  ExclamationCircleTwoTone,
  MinusCircleOutlined,
} from '@ant-design/icons';
import type { SaveWeComConfig, WeComCheckItem } from '@pond/contracts';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Form,
  Input,
  InputNumber,
  List,
  Row,
  Space,
  Statistic,
  Typography,
} from 'antd';
import { useEffect } from 'react';
import {
  useCheckWeCom,
  useSaveWeComConfig,
  useWeComCallbackStats,
  useWeComConfig,
} from '../../api/use-wecom.ts';
import { errorText, showFieldError } from '../../components/api-error.ts';
import { formatTime } from '../../components/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { zhCN as wecomMessages } from '../../i18n/modules/wecom.ts';
import { CallbackInbox, RejectionList } from './callback-inbox.tsx';
import { SyncCard } from './sync-card.tsx';

const ICON: Record<WeComCheckItem['status'], React.ReactNode> = {
  ok: <CheckCircleTwoTone twoToneColor="#52c41a" />,
  failed: <CloseCircleTwoTone twoToneColor="#ff4d4f" />,
  warning: <ExclamationCircleTwoTone twoToneColor="#faad14" />,
  skipped: <MinusCircleOutlined />,
};

const isCheckKey = (key: string): key is keyof typeof wecomMessages => key in wecomMessages;

interface FormValues {
  corpId: string;
  agentId?: number | null;
  secret?: string;
  token?: string;
  encodingAesKey?: string;
  apiBaseUrl: string;
}

/** The WeCom connection: configuration, callback URL, connection check, and callbacks. */
export function WeComSettingsPage() {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const config = useWeComConfig();
  const save = useSaveWeComConfig();
  const check = useCheckWeCom();
  const stats = useWeComCallbackStats();
  const [form] = Form.useForm<FormValues>();
  const c = config.data;

  useEffect(() => {
    if (c) form.setFieldsValue({ corpId: c.corpId ?? '', agentId: c.agentId, apiBaseUrl: c.apiBaseUrl });
  }, [c, form]);

  const onSave = async (v: FormValues) => {
    // Secrets left empty keep the stored ones.
    const body: SaveWeComConfig = {
      corpId: v.corpId,
      agentId: v.agentId ?? null,
      apiBaseUrl: v.apiBaseUrl,
      ...(v.secret ? { secret: v.secret } : {}),
      ...(v.token ? { token: v.token } : {}),
      ...(v.encodingAesKey ? { encodingAesKey: v.encodingAesKey } : {}),
    };
    try {
      await save.mutateAsync(body);
      form.setFieldsValue({ secret: '', token: '', encodingAesKey: '' });
      message.success(t('wecom.saved'));
    } catch (e) {
      if (!showFieldError(form, e)) message.error(errorText(e));
    }
  };

  const result = check.data ?? c?.lastCheck ?? null;
  // Findings Pond knows are said in the reader's language; others as WeCom's English text.
  const describe = (i: WeComCheckItem) => {
    const key = `wecom.check.${i.code}`;
    return i.code !== null && isCheckKey(key) ? t(key, i.params) : i.message;
  };
  const callbackUrl =
    c?.callbackUrl ?? (c?.callbackPath ? `${window.location.origin}${c.callbackPath}` : null);
  const stored = (masked: string | null | undefined) =>
    masked ? t('wecom.keepStored', { masked }) : undefined;
  const byStatus = stats.data?.byStatus ?? {};
  const rejected = Object.values(stats.data?.rejectedByReason ?? {}).reduce((a, b) => a + b, 0);

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card title={t('wecom.settings.title')} loading={config.isPending}>
        <Typography.Paragraph type="secondary">{t('wecom.settings.intro')}</Typography.Paragraph>
        {config.isError ? <Alert type="error" message={errorText(config.error)} /> : null}
        <Row gutter={24}>
          <Col xs={24} lg={12}>
            <Form<FormValues>
              form={form}
              layout="vertical"
              onFinish={onSave}
              aria-label={t('wecom.settings.title')}
            >
              <Form.Item name="corpId" label={t('wecom.corpId')} rules={[{ required: true }]}>
                <Input placeholder="ww…" autoComplete="off" />
              </Form.Item>
              <Form.Item name="agentId" label={t('wecom.agentId')}>
                <InputNumber min={1} style={{ width: '100%' }} />
              </Form.Item>
              <Form.Item name="secret" label={t('wecom.secret')} extra={stored(c?.secret)}>
                <Input.Password autoComplete="new-password" />
              </Form.Item>
              <Form.Item
                name="token"
                label={t('wecom.token')}
                extra={stored(c?.token)}
                rules={[{ required: !c?.configured }]}
              >
                <Input.Password autoComplete="new-password" />
              </Form.Item>
              <Form.Item
                name="encodingAesKey"
                label={t('wecom.aesKey')}
                extra={stored(c?.encodingAesKey)}
                rules={[{ required: !c?.configured }, { len: 43 }]}
              >
                <Input.Password autoComplete="new-password" />
              </Form.Item>
              <Form.Item name="apiBaseUrl" label={t('wecom.apiBaseUrl')} extra={t('wecom.apiBaseUrlHelp')}>
                <Input />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={save.isPending}>
                {t('wecom.save')}
              </Button>
              <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
                {t('wecom.secretsSealed')}
              </Typography.Paragraph>
            </Form>
          </Col>
          <Col xs={24} lg={12}>
            <Typography.Title level={5}>{t('wecom.callbackUrl')}</Typography.Title>
            {callbackUrl ? (
              <Space.Compact style={{ width: '100%' }}>
                <Input readOnly value={callbackUrl} aria-label={t('wecom.callbackUrl')} />
                <Button
                  icon={<CopyOutlined />}
                  onClick={async () => {
                    await navigator.clipboard?.writeText(callbackUrl);
                    message.success(t('wecom.copied'));
                  }}
                >
                  {t('wecom.copy')}
                </Button>
              </Space.Compact>
            ) : (
              <Typography.Text type="secondary">{t('wecom.notConfigured')}</Typography.Text>
            )}
            <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
              {t('wecom.callbackUrlHelp')}
            </Typography.Paragraph>
            <Button onClick={() => check.mutate()} loading={check.isPending} disabled={!c?.configured}>
              {t('wecom.check')}
            </Button>
            {check.isError ? (
              <Alert style={{ marginTop: 12 }} type="error" message={errorText(check.error)} />
            ) : null}
            {result ? (
              <Card size="small" style={{ marginTop: 12 }} data-testid="wecom-check">
                <Alert
                  type={result.ok ? 'success' : 'error'}
                  message={result.ok ? t('wecom.checkOk') : t('wecom.checkFailed')}
                  description={t('wecom.checkedAt', { at: formatTime(result.checkedAt, language) })}
                  style={{ marginBottom: 8 }}
                />
                <List
                  size="small"
                  dataSource={result.items}
                  renderItem={(i) => (
                    <List.Item>
                      <List.Item.Meta
                        avatar={ICON[i.status]}
                        title={`${t(`wecom.checkItem.${i.name}`)} · ${t(`wecom.status.${i.status}`)}${i.errcode !== null ? ` (errcode ${i.errcode})` : ''}`}
                        description={
                          <Space direction="vertical" size={0}>
                            <span>{describe(i)}</span>
                            {i.status === 'failed' && i.code !== null ? (
                              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                                {i.message}
                              </Typography.Text>
                            ) : null}
                          </Space>
                        }
                      />
                    </List.Item>
                  )}
                />
              </Card>
            ) : null}
          </Col>
        </Row>
      </Card>
      <Row gutter={16}>
        {(['processed', 'retrying', 'failed'] as const).map((s) => (
          <Col key={s} xs={12} md={6}>
            <Card size="small">
              <Statistic
                title={t(`wecom.cbStatus.${s}`)}
                value={byStatus[s] ?? 0}
                loading={stats.isPending}
              />
            </Card>
          </Col>
        ))}
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('wecom.rejections.last7')} value={rejected} loading={stats.isPending} />
          </Card>
        </Col>
      </Row>
      <SyncCard canSync={Boolean(c?.secret)} />
      <CallbackInbox lastReceivedAt={stats.data?.lastReceivedAt ?? null} />
      <RejectionList />
    </Space>
  );
}
