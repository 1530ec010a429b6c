import { PlusOutlined } from '@ant-design/icons';
import type { Customer, Rule } from '@pond/contracts';
import { Alert, Button, Card, Col, Row, Segmented, Space, Statistic, Table, Typography } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useAudiencePreview } from '../../api/use-audiences.ts';
import { errorText } from '../../components/api-error.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { ConditionRow, type Draft, newDraft, toRule } from './condition-row.tsx';

/**
 * Builds an audience rule from conditions joined by "all" or "any", and shows how many
 * customers it matches as it is edited.
 */
export function AudienceBuilderPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [match, setMatch] = useState<'all' | 'any'>('all');
  const [drafts, setDrafts] = useState<Draft[]>([newDraft('attribute')]);
  const rules = drafts.map(toRule);
  const complete = rules.length > 0 && rules.every((r): r is Rule => r !== null);
  const rule: Rule | null = complete ? { kind: match, rules: rules as Rule[] } : null;
  const preview = useAudiencePreview(rule);
  const set = (i: number, d: Draft) => setDrafts(drafts.map((x, j) => (j === i ? d : x)));
  return (
    <Row gutter={16}>
      <Col xs={24} xl={15}>
        <Card title={t('audiences.title')}>
          <Typography.Paragraph type="secondary">{t('audiences.hint')}</Typography.Paragraph>
          <Segmented
            style={{ marginBottom: 16 }}
            value={match}
            onChange={(v) => setMatch(v as 'all' | 'any')}
            options={[
              { value: 'all', label: t('audiences.match.all') },
              { value: 'any', label: t('audiences.match.any') },
            ]}
          />
          <div style={{ display: 'grid', gap: 12 }}>
            {drafts.map((d, i) => (
              <ConditionRow
                // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
                key={i}
                draft={d}
                onChange={(next) => set(i, next)}
                onRemove={() => setDrafts(drafts.filter((_, j) => j !== i))}
              />
            ))}
          </div>
          <Button
            style={{ marginTop: 16 }}
            icon={<PlusOutlined />}
            onClick={() => setDrafts([...drafts, newDraft('attribute')])}
          >
            {t('audiences.addCondition')}
          </Button>
        </Card>
      </Col>
      <Col xs={24} xl={9}>
        <Card>
          {preview.error ? (
            <Alert type="error" showIcon message={errorText(preview.error)} style={{ marginBottom: 12 }} />
          ) : null}
          <Statistic
            title={t('audiences.count')}
            value={rule ? (preview.data?.count ?? '…') : '—'}
            loading={preview.isFetching && !preview.data}
          />
          {!rule ? <Typography.Text type="secondary">{t('audiences.incomplete')}</Typography.Text> : null}
          <Space direction="vertical" style={{ width: '100%', marginTop: 16 }}>
            <Typography.Text strong>{t('audiences.sample')}</Typography.Text>
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
          </Space>
        </Card>
      </Col>
    </Row>
  );
}
