import { PlusOutlined } from '@ant-design/icons';
import type { LiveCode } from '@pond/contracts';
import {
  Alert,
  App,
  Button,
  Card,
  Image,
  Input,
  Popconfirm,
  Segmented,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useDeleteLiveCode, useLiveCodes } from '../../../api/use-wecom-live-codes.ts';
import { errorText } from '../../../components/api-error.ts';
import { usePermissions } from '../../../components/app-layout.tsx';
import { formatTime } from '../../../components/format.ts';
import { LoadMore } from '../../../components/load-more.tsx';
import { useI18n } from '../../../i18n/i18n.tsx';
import { LiveCodeDetail } from './live-code-detail.tsx';
import { LiveCodeForm } from './live-code-form.tsx';

const OUT_COLOR = { capped: 'orange', off_schedule: 'default', departed: 'red' } as const;

/** Live codes with their pools, adds today and in total; a code opens its statistics. */
export function LiveCodesPage() {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const canManage = usePermissions().has('wecom.manage');
  const [status, setStatus] = useState<'active' | 'deleted'>('active');
  const [q, setQ] = useState('');
  const codes = useLiveCodes(status, q);
  const remove = useDeleteLiveCode();
  const [editing, setEditing] = useState<LiveCode | null | undefined>(undefined);
  const [shown, setShown] = useState<LiveCode | null>(null);
  const rows = codes.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <Card
      title={t('lc.title')}
      extra={
        <Space wrap>
          <Segmented
            value={status}
            onChange={(v) => setStatus(v as 'active' | 'deleted')}
            options={[
              { value: 'active', label: t('lc.active') },
              { value: 'deleted', label: t('lc.deleted') },
            ]}
          />
          <Input.Search allowClear placeholder={t('lc.search')} onSearch={setQ} style={{ width: 220 }} />
          {canManage ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing(null)}>
              {t('lc.new')}
            </Button>
          ) : null}
        </Space>
      }
    >
      <Typography.Paragraph type="secondary">{t('lc.intro')}</Typography.Paragraph>
      <Table<LiveCode>
        rowKey="id"
        loading={codes.isPending}
        dataSource={rows}
        pagination={false}
        locale={{ emptyText: t('lc.empty') }}
        columns={[
          {
            title: t('lc.qr'),
            key: 'qr',
            width: 72,
            render: (_: unknown, c) =>
              c.qrCode ? (
                <Image src={c.qrCode} width={48} alt={t('lc.qr')} fallback="" preview={false} />
              ) : null,
          },
          {
            title: t('lc.name'),
            key: 'name',
            render: (_: unknown, c) => (
              <Space direction="vertical" size={0}>
                <Typography.Link onClick={() => setShown(c)}>{c.name}</Typography.Link>
                <Typography.Text type="secondary" copyable={{ text: c.state }}>
                  <code>{c.state}</code>
                </Typography.Text>
                {c.syncError ? (
                  <Alert type="error" showIcon message={t('lc.syncError', { error: c.syncError })} />
                ) : null}
              </Space>
            ),
          },
          {
            title: t('lc.pool'),
            key: 'pool',
            render: (_: unknown, c) => (
              <Space wrap size={4}>
                {c.pool.map((m) => (
                  <Tag key={m.staffId} color={m.out ? OUT_COLOR[m.out] : 'green'}>
                    {m.name}
                    {m.dailyCap !== null ? ` ${m.addsToday}/${m.dailyCap}` : ''}
                    {m.out ? ` · ${t(`lc.out.${m.out}`)}` : ''}
                  </Tag>
                ))}
              </Space>
            ),
          },
          { title: t('lc.addsToday'), dataIndex: 'addsToday', width: 80 },
          { title: t('lc.total'), dataIndex: 'adds', width: 80 },
          {
            title: t('sc.createdAt'),
            dataIndex: 'createdAt',
            render: (at: number) => formatTime(at, language),
          },
          {
            key: 'actions',
            render: (_: unknown, c) => (
              <Space>
                <Button size="small" onClick={() => setShown(c)}>
                  {t('lc.stats')}
                </Button>
                {canManage && c.status === 'active' ? (
                  <>
                    <Button size="small" onClick={() => setEditing(c)}>
                      {t('lc.edit')}
                    </Button>
                    <Popconfirm
                      title={t('lc.deleteConfirm')}
                      onConfirm={() => remove.mutate(c.id, { onError: (e) => message.error(errorText(e)) })}
                    >
                      <Button size="small" danger>
                        {t('lc.delete')}
                      </Button>
                    </Popconfirm>
                  </>
                ) : null}
              </Space>
            ),
          },
        ]}
      />
      <LoadMore list={codes} />
      {editing !== undefined ? (
        <LiveCodeForm code={editing} open onClose={() => setEditing(undefined)} />
      ) : null}
      <LiveCodeDetail code={shown} onClose={() => setShown(null)} />
    </Card>
  );
}
