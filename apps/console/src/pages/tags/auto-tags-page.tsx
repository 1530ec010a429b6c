import { PlusOutlined } from '@ant-design/icons';
import type { AutoTagRule, CreateAutoTagRule, Rule, UpdateAutoTagRule } from '@pond/contracts';
import { App, Button, Card, Col, Drawer, Form, Input, Row, Select, Space, Switch, Table, Tag } from 'antd';
import { useState } from 'react';
import { useAutoTagMutation, useAutoTagRules, useTagGroups } from '../../api/use-tags.ts';
import { errorText } from '../../components/api-error.ts';
import { usePermissions } from '../../components/app-layout.tsx';
import { formatTime } from '../../components/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { RulePreview } from '../audiences/audience-builder-page.tsx';
import { RuleBuilder } from '../audiences/rule-builder.tsx';

/** Rules that keep a tag on the customers matching a condition, as data changes. */
export function AutoTagsPage() {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const canManage = usePermissions().has('tags.manage');
  const rules = useAutoTagRules();
  const groups = useTagGroups();
  const create = useAutoTagMutation((client, body: CreateAutoTagRule) =>
    client.autoTagRules.create({ body }),
  );
  const update = useAutoTagMutation((client, v: { id: string; body: UpdateAutoTagRule }) =>
    client.autoTagRules.update({ params: { id: v.id }, body: v.body }),
  );
  const run = useAutoTagMutation((client, id: string) => client.autoTagRules.run({ params: { id } }));
  const [open, setOpen] = useState(false);
  const [rule, setRule] = useState<Rule | null>(null);
  const [form] = Form.useForm<{ name: string; tagId: string; removeWhenUnmatched: boolean }>();
  const tags = (groups.data ?? []).flatMap((g) => g.tags.map((x) => ({ ...x, groupName: g.name })));
  const act = (p: Promise<unknown>) => p.catch((e: unknown) => message.error(errorText(e)));
  return (
    <Card
      title={t('autoTags.title')}
      extra={
        canManage ? (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)}>
            {t('autoTags.add')}
          </Button>
        ) : null
      }
    >
      <Table<AutoTagRule>
        rowKey="id"
        loading={rules.isPending}
        dataSource={rules.data ?? []}
        pagination={false}
        locale={{ emptyText: t('autoTags.empty') }}
        columns={[
          { title: t('common.name'), dataIndex: 'name' },
          {
            title: t('autoTags.tag'),
            dataIndex: 'tagId',
            render: (id: string) => {
              const tag = tags.find((x) => x.id === id);
              return tag ? <Tag color={tag.color}>{`${tag.groupName}：${tag.name}`}</Tag> : id;
            },
          },
          { title: t('autoTags.tagged'), dataIndex: 'tagged' },
          {
            title: t('autoTags.lastRun'),
            dataIndex: 'lastRunAt',
            render: (at: number | null) => (at ? formatTime(at, language) : t('autoTags.pending')),
          },
          {
            title: t('autoTags.enabled'),
            dataIndex: 'enabled',
            render: (on: boolean, r: AutoTagRule) => (
              <Switch
                checked={on}
                disabled={!canManage}
                onChange={(enabled) => act(update.mutateAsync({ id: r.id, body: { enabled } }))}
              />
            ),
          },
          ...(canManage
            ? [
                {
                  title: t('common.actions'),
                  key: 'actions',
                  render: (_: unknown, r: AutoTagRule) => (
                    <Button
                      type="link"
                      disabled={!r.enabled}
                      onClick={() =>
                        act(run.mutateAsync(r.id).then(() => message.success(t('autoTags.queued'))))
                      }
                    >
                      {t('autoTags.runNow')}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      <Drawer
        open={open}
        onClose={() => setOpen(false)}
        title={t('autoTags.add')}
        size={1000}
        destroyOnHidden
        extra={
          <Space>
            <Button onClick={() => setOpen(false)}>{t('common.cancel')}</Button>
            <Button
              type="primary"
              disabled={!rule}
              loading={create.isPending}
              onClick={async () => {
                const v = await form.validateFields();
                if (!rule) return;
                await act(
                  create.mutateAsync({ ...v, rule }).then(() => {
                    message.success(t('autoTags.queued'));
                    setOpen(false);
                  }),
                );
              }}
            >
              {t('common.save')}
            </Button>
          </Space>
        }
      >
        <Row gutter={16}>
          <Col span={15}>
            <Form form={form} layout="vertical" initialValues={{ removeWhenUnmatched: true }}>
              <Form.Item name="name" label={t('common.name')} rules={[{ required: true, max: 100 }]}>
                <Input />
              </Form.Item>
              <Form.Item name="tagId" label={t('autoTags.tag')} rules={[{ required: true }]}>
                <Select
                  showSearch
                  optionFilterProp="label"
                  options={(groups.data ?? []).map((g) => ({
                    label: g.name,
                    title: g.name,
                    options: g.tags.filter((x) => !x.archivedAt).map((x) => ({ value: x.id, label: x.name })),
                  }))}
                />
              </Form.Item>
              <Form.Item name="removeWhenUnmatched" label={t('autoTags.remove')} valuePropName="checked">
                <Switch />
              </Form.Item>
            </Form>
            <RuleBuilder onChange={setRule} />
          </Col>
          <Col span={9}>
            <RulePreview rule={rule} />
          </Col>
        </Row>
      </Drawer>
    </Card>
  );
}
