import type { SuccessionAssets, SuccessionCandidate, TransferKind } from '@pond/contracts';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Input,
  Row,
  Segmented,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useWeComStaff } from '../../../api/use-wecom-live-codes.ts';
import {
  useCreateTransfer,
  useSuccessionAssets,
  useSuccessionCandidates,
} from '../../../api/use-wecom-succession.ts';
import { errorText } from '../../../components/api-error.ts';
import { formatTime } from '../../../components/format.ts';
import { useI18n } from '../../../i18n/i18n.tsx';
import { TransfersCard } from './transfers-card.tsx';

type AssetCustomer = SuccessionAssets['customers'][number];
type AssetGroup = SuccessionAssets['groups'][number];

/** Pick who hands over → their customers and groups → who takes over; then follow each transfer. */
export function SuccessionPage() {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const [kind, setKind] = useState<TransferKind>('resigned');
  const [handover, setHandover] = useState<string | undefined>();
  const [customers, setCustomers] = useState<string[]>([]);
  const [groups, setGroups] = useState<string[]>([]);
  const [takeover, setTakeover] = useState<string | undefined>();
  const [text, setText] = useState('');
  const [staffQuery, setStaffQuery] = useState('');
  const candidates = useSuccessionCandidates(kind);
  const assets = useSuccessionAssets(kind, handover);
  const staff = useWeComStaff(staffQuery);
  const create = useCreateTransfer();

  const choose = (userId: string | undefined) => {
    setHandover(userId);
    setCustomers([]);
    setGroups([]);
  };
  const submit = () => {
    if (!handover || !takeover) return;
    create.mutate(
      {
        kind,
        handoverUserId: handover,
        takeoverStaffId: takeover,
        externalUserIds: customers,
        chatIds: groups,
        ...(kind === 'in_service' && text.trim() ? { message: text.trim() } : {}),
      },
      {
        onSuccess: () => {
          message.success(t('sc.submitted'));
          setCustomers([]);
          setGroups([]);
        },
        onError: (e) => message.error(errorText(e)),
      },
    );
  };
  const warning = candidates.data?.warning ?? assets.data?.warning ?? null;

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card
        title={t('sc.title')}
        extra={
          <Segmented
            value={kind}
            onChange={(v) => {
              setKind(v as TransferKind);
              choose(undefined);
            }}
            options={(['resigned', 'in_service'] as const).map((k) => ({
              value: k,
              label: t(`sc.kind.${k}`),
            }))}
          />
        }
      >
        <Typography.Paragraph type="secondary">{t('sc.intro')}</Typography.Paragraph>
        {warning ? <Alert type="warning" showIcon message={warning} style={{ marginBottom: 12 }} /> : null}
        <Row gutter={16}>
          <Col xs={24} lg={8}>
            <Typography.Title level={5}>1. {t('sc.step.handover')}</Typography.Title>
            <Table<SuccessionCandidate>
              rowKey="userId"
              size="small"
              loading={candidates.isPending}
              dataSource={candidates.data?.data ?? []}
              pagination={{ pageSize: 10, hideOnSinglePage: true }}
              locale={{ emptyText: t('sc.noCandidates') }}
              rowSelection={{
                type: 'radio',
                selectedRowKeys: handover ? [handover] : [],
                onChange: (keys) => choose(keys[0] === undefined ? undefined : String(keys[0])),
              }}
              onRow={(c) => ({ onClick: () => choose(c.userId) })}
              columns={[
                {
                  title: t('sc.handover'),
                  key: 'who',
                  render: (_: unknown, c) => (
                    <Space direction="vertical" size={0}>
                      <span>{c.staff?.name ?? c.userId}</span>
                      <Typography.Text type="secondary">
                        <code>{c.userId}</code>
                        {c.departedAt ? ` · ${formatTime(c.departedAt, language)}` : ''}
                      </Typography.Text>
                    </Space>
                  ),
                },
                { title: t('sc.customers'), dataIndex: 'customers', width: 70 },
                { title: t('sc.groups'), dataIndex: 'groups', width: 60 },
              ]}
            />
          </Col>
          <Col xs={24} lg={10}>
            <Typography.Title level={5}>2. {t('sc.step.assets')}</Typography.Title>
            {handover ? (
              <Space direction="vertical" style={{ width: '100%' }}>
                <Table<AssetCustomer>
                  rowKey="externalUserId"
                  size="small"
                  loading={assets.isPending}
                  dataSource={assets.data?.customers ?? []}
                  pagination={{ pageSize: 8, hideOnSinglePage: true }}
                  rowSelection={{
                    selectedRowKeys: customers,
                    onChange: (keys) => setCustomers(keys.map(String)),
                    getCheckboxProps: (c) => ({ disabled: c.pending }),
                  }}
                  columns={[
                    {
                      title: t('sc.customers'),
                      key: 'c',
                      render: (_: unknown, c) => (
                        <Space>
                          {c.customer?.name ?? (
                            <Typography.Text type="secondary">{t('sc.unknownCustomer')}</Typography.Text>
                          )}
                          <code>{c.externalUserId}</code>
                          {c.pending ? <Tag color="blue">{t('sc.pending')}</Tag> : null}
                        </Space>
                      ),
                    },
                  ]}
                />
                <Table<AssetGroup>
                  rowKey="chatId"
                  size="small"
                  dataSource={assets.data?.groups ?? []}
                  pagination={false}
                  locale={{ emptyText: t('lc.noData') }}
                  rowSelection={{ selectedRowKeys: groups, onChange: (keys) => setGroups(keys.map(String)) }}
                  columns={[
                    {
                      title: t('sc.groups'),
                      key: 'g',
                      render: (_: unknown, g) => g.name ?? <code>{g.chatId}</code>,
                    },
                    { title: '#', dataIndex: 'memberCount', width: 60 },
                  ]}
                />
              </Space>
            ) : (
              <Typography.Text type="secondary">{t('sc.step.handover')}</Typography.Text>
            )}
          </Col>
          <Col xs={24} lg={6}>
            <Typography.Title level={5}>3. {t('sc.step.takeover')}</Typography.Title>
            <Space direction="vertical" style={{ width: '100%' }}>
              <Select
                aria-label={t('sc.takeover')}
                placeholder={t('sc.takeover')}
                showSearch
                filterOption={false}
                onSearch={setStaffQuery}
                value={takeover}
                onChange={setTakeover}
                style={{ width: '100%' }}
                options={(staff.data ?? [])
                  .filter((s) => s.wecomUserId?.toLowerCase() !== handover?.toLowerCase())
                  .map((s) => ({ value: s.id, label: `${s.name}（${s.wecomUserId}）` }))}
              />
              {kind === 'in_service' ? (
                <Input.TextArea
                  rows={3}
                  maxLength={200}
                  showCount
                  placeholder={t('sc.message')}
                  aria-label={t('sc.message')}
                  value={text}
                  onChange={(e) => setText(e.target.value)}
                />
              ) : null}
              <Typography.Text>
                {t('sc.selected', { customers: customers.length, groups: groups.length })}
              </Typography.Text>
              <Button
                type="primary"
                block
                loading={create.isPending}
                disabled={!handover || !takeover || customers.length + groups.length === 0}
                onClick={submit}
              >
                {t('sc.submit')}
              </Button>
            </Space>
          </Col>
        </Row>
      </Card>
      <TransfersCard />
    </Space>
  );
}
