import type { Customer, Rule } from '@pond/contracts';
import { Alert, Card, Col, Row, Statistic, Table, Typography } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useAudiencePreview } from '../../api/use-audiences.ts';
import { errorText } from '../../components/api-error.ts';
import { useI18n } from '../../i18n/i18n.tsx';
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

/** Builds an audience rule and shows how many customers it matches as it is edited. */
export function AudienceBuilderPage() {
  const { t } = useI18n();
  const [rule, setRule] = useState<Rule | null>(null);
  return (
    <Row gutter={16}>
      <Col xs={24} xl={15}>
        <Card title={t('audiences.title')}>
          <Typography.Paragraph type="secondary">{t('audiences.hint')}</Typography.Paragraph>
          <RuleBuilder onChange={setRule} />
        </Card>
      </Col>
      <Col xs={24} xl={9}>
        <Card>
          <RulePreview rule={rule} />
        </Card>
      </Col>
    </Row>
  );
}
