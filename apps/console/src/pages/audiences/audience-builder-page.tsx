import type { Customer, Rule } from '@pond/contracts';
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
import { useNavigate } from 'react-router';
import { useAudiencePreview, useSaveAudience } from '../../api/use-audiences.ts';
import { errorText } from '../../components/api-error.ts';
import { usePermissions } from '../../components/app-layout.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { ExplainPanel } from './explain-panel.tsx';
import { RuleBuilder } from './rule-builder.tsx';

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

/** Builds an audience rule, shows how many customers it matches as it is edited, and saves it. */
export function AudienceBuilderPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const canSave = usePermissions().has('tags.manage');
  const [rule, setRule] = useState<Rule | null>(null);
  const [saving, setSaving] = useState(false);
  const save = useSaveAudience();
  const [form] = Form.useForm<{ name: string; kind: 'dynamic' | 'static' }>();
  return (
    <Row gutter={16}>
      <Col xs={24} xl={15}>
        <Card
          title={t('audiences.title')}
          extra={
            canSave ? (
              <Button type="primary" disabled={!rule} onClick={() => setSaving(true)}>
                {t('audiences.save')}
              </Button>
            ) : null
          }
        >
          <Typography.Paragraph type="secondary">{t('audiences.hint')}</Typography.Paragraph>
          <RuleBuilder onChange={setRule} />
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
        title={t('audiences.save')}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        confirmLoading={save.isPending}
        onCancel={() => setSaving(false)}
        destroyOnHidden
        onOk={async () => {
          const v = await form.validateFields();
          if (!rule) return;
          try {
            const saved = await save.mutateAsync({ ...v, rule });
            message.success(t('common.saved'));
            navigate(`/customers?audienceId=${saved.id}`);
          } catch (e) {
            message.error(errorText(e));
          }
        }}
      >
        <Form form={form} layout="vertical" initialValues={{ kind: 'dynamic' }}>
          <Form.Item name="name" label={t('common.name')} rules={[{ required: true, max: 100 }]}>
            <Input autoFocus />
          </Form.Item>
          <Form.Item name="kind" label={t('audiences.kind')}>
            <Radio.Group
              options={[
                { value: 'dynamic', label: t('audiences.kind.dynamic') },
                { value: 'static', label: t('audiences.kind.static') },
              ]}
            />
          </Form.Item>
        </Form>
      </Modal>
    </Row>
  );
}
