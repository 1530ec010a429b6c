import type { Audience, Customer, Rule } from '@pond/contracts';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Form,
  Input,
  Modal,
  Radio,
  Row,
  Statistic,
  Table,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import {
  useAudiencePreview,
  useSaveAudience,
  useSavedAudience,
  useUpdateAudience,
} from '../../api/use-audiences.ts';
import { errorText } from '../../components/api-error.ts';
import { usePermissions } from '../../components/app-layout.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { ExplainPanel } from './explain-panel.tsx';
import { RuleBuilder } from './rule-builder.tsx';

/** A server time: milliseconds below a second, seconds above. */
const formatTook = (ms: number) =>
  ms < 1000 ? `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;

/** The live count and newest matches of a rule being edited. */
export function RulePreview({ rule }: { rule: Rule | null }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const preview = useAudiencePreview(rule);
  return (
    <>
      {preview.error ? (
        <Alert type="error" showIcon message={errorText(preview.error)} style={{ marginBottom: 12 }} />
      ) : null}
      <Statistic
        title={t('audiences.count')}
        value={rule ? (preview.data?.count ?? '…') : '—'}
        loading={preview.isFetching && !preview.data}
      />
      {!rule ? <Typography.Text type="secondary">{t('audiences.incomplete')}</Typography.Text> : null}
      {rule && preview.data ? (
        <Typography.Text type="secondary" data-testid="preview-answered-by">
          {t(`audiences.answeredBy.${preview.data.answeredBy}`, { took: formatTook(preview.data.tookMs) })}
        </Typography.Text>
      ) : null}
      <Typography.Paragraph strong style={{ marginTop: 16 }}>
        {t('audiences.sample')}
      </Typography.Paragraph>
      <Table<Customer>
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={rule ? (preview.data?.sample ?? []) : []}
        onRow={(c) => ({ onClick: () => navigate(`/customers/${c.id}`), style: { cursor: 'pointer' } })}
        columns={[
          {
            title: t('customers.name'),
            dataIndex: 'name',
            render: (n: string | null) => n ?? t('customers.unnamed'),
          },
          { title: t('customers.city'), dataIndex: 'city' },
          { title: t('customers.membership'), dataIndex: 'membershipLevel' },
        ]}
      />
    </>
  );
}

/** Builds a new audience's rule, or edits a saved one's (`/audiences/:id/edit`). */
export function AudienceBuilderPage() {
  const { id } = useParams();
  const existing = useSavedAudience(id);
  if (!id) return <Builder />;
  if (existing.error) return <Alert type="error" showIcon message={errorText(existing.error)} />;
  if (!existing.data) return <Card loading />;
  return <Builder key={existing.data.id} audience={existing.data} />;
}

/** Shows how many customers the rule matches as it is edited, and saves it. */
function Builder({ audience }: { audience?: Audience }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const canSave = usePermissions().has('tags.manage');
  const [rule, setRule] = useState<Rule | null>(audience?.rule ?? null);
  const [saving, setSaving] = useState(false);
  const save = useSaveAudience();
  const update = useUpdateAudience();
  const [form] = Form.useForm<{ name: string; kind: 'dynamic' | 'static' }>();
  return (
    <Row gutter={16}>
      <Col xs={24} xl={15}>
        <Card
          title={audience ? `${t('audiences.edit')} · ${audience.name}` : t('audiences.title')}
          extra={
            canSave ? (
              <Button type="primary" disabled={!rule} onClick={() => setSaving(true)}>
                {audience ? t('audiences.saveChanges') : t('audiences.save')}
              </Button>
            ) : null
          }
        >
          <Typography.Paragraph type="secondary">{t('audiences.hint')}</Typography.Paragraph>
          <RuleBuilder onChange={setRule} initial={audience?.rule} audienceId={audience?.id} />
        </Card>
      </Col>
      <Col xs={24} xl={9}>
        <Card>
          <RulePreview rule={rule} />
          <ExplainPanel rule={rule} />
        </Card>
      </Col>
      <Modal
        open={saving}
        title={audience ? t('audiences.saveChanges') : t('audiences.save')}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        confirmLoading={save.isPending || update.isPending}
        onCancel={() => setSaving(false)}
        destroyOnHidden
        onOk={async () => {
          const v = await form.validateFields();
          if (!rule) return;
          try {
            if (audience) {
              await update.mutateAsync({ id: audience.id, body: { name: v.name, rule } });
              message.success(t('common.saved'));
              navigate(`/audiences/${audience.id}`);
            } else {
              const saved = await save.mutateAsync({ ...v, rule });
              message.success(t('common.saved'));
              navigate(`/customers?audienceId=${saved.id}`);
            }
          } catch (e) {
            message.error(errorText(e));
          }
        }}
      >
        <Form
          form={form}
          layout="vertical"
          initialValues={{ kind: audience?.kind ?? 'dynamic', name: audience?.name }}
        >
          <Form.Item name="name" label={t('common.name')} rules={[{ required: true, max: 100 }]}>
            <Input autoFocus />
          </Form.Item>
          <Form.Item name="kind" label={t('audiences.kind')}>
            <Radio.Group
              disabled={Boolean(audience)}
              options={[
                { value: 'dynamic', label: t('audiences.kind.dynamic') },
                { value: 'static', label: t('audiences.kind.static') },
              ]}
            />
          </Form.Item>
          {audience?.kind === 'static' ? (
            <Typography.Text type="secondary">{t('audiences.resnapshot')}</Typography.Text>
          ) : null}
        </Form>
      </Modal>
    </Row>
  );
}
