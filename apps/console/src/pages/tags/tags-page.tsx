import { PlusOutlined } from '@ant-design/icons';
import type { TagColor, TagGroup, Tag as TagItem } from '@pond/contracts';
import {
  App,
  Button,
  Card,
  Empty,
  Form,
  Input,
  Modal,
  Popconfirm,
  Select,
  Space,
  Switch,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import {
  useCreateTag,
  useCreateTagGroup,
  useRemoveTagGroup,
  useRenameTagGroup,
  useTagGroups,
  useUpdateTag,
} from '../../api/use-tags.ts';
import { errorText } from '../../components/api-error.ts';
import { usePermissions } from '../../components/app-layout.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useWeComTagSync, WeComTagSyncSwitch } from './wecom-tag-sync.tsx';

const COLORS: readonly TagColor[] = [
  'blue',
  'green',
  'gold',
  'orange',
  'red',
  'purple',
  'cyan',
  'magenta',
  'gray',
];

interface TagValues {
  name: string;
  color: TagColor;
  groupId: string;
}

type Editing = { kind: 'group'; group?: TagGroup } | { kind: 'tag'; groupId: string; tag?: TagItem } | null;

/** Tag groups as cards, each tag with how many customers carry it; archive instead of delete. */
export function TagsPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const canManage = usePermissions().has('tags.manage');
  const groups = useTagGroups();
  const synced = useWeComTagSync();
  const createGroup = useCreateTagGroup();
  const renameGroup = useRenameTagGroup();
  const removeGroup = useRemoveTagGroup();
  const createTag = useCreateTag();
  const updateTag = useUpdateTag();
  const [editing, setEditing] = useState<Editing>(null);
  const [showArchived, setShowArchived] = useState(false);
  const [form] = Form.useForm<TagValues>();
  const act = (p: Promise<unknown>) =>
    p
      .then(() => true)
      .catch((e: unknown) => {
        message.error(errorText(e));
        return false;
      });

  const open = (next: NonNullable<Editing>) => {
    setEditing(next);
    form.resetFields();
    if (next.kind === 'group') form.setFieldsValue({ name: next.group?.name ?? '' });
    else
      form.setFieldsValue({
        name: next.tag?.name ?? '',
        color: next.tag?.color ?? 'blue',
        groupId: next.groupId,
      });
  };
  const save = async () => {
    const v = await form.validateFields();
    if (!editing) return;
    const done =
      editing.kind === 'group'
        ? await act(
            editing.group
              ? renameGroup.mutateAsync({ id: editing.group.id, name: v.name })
              : createGroup.mutateAsync(v.name),
          )
        : await act(
            editing.tag
              ? updateTag.mutateAsync({
                  id: editing.tag.id,
                  body: { name: v.name, color: v.color, groupId: v.groupId },
                })
              : createTag.mutateAsync({ groupId: editing.groupId, name: v.name, color: v.color }),
          );
    if (done) setEditing(null);
  };

  const list = groups.data ?? [];
  return (
    <Card
      title={t('tags.title')}
      loading={groups.isPending}
      extra={
        <Space>
          <Space size={4}>
            <Switch size="small" checked={showArchived} onChange={setShowArchived} />
            <Typography.Text type="secondary">{t('tags.showArchived')}</Typography.Text>
          </Space>
          {canManage ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => open({ kind: 'group' })}>
              {t('tags.addGroup')}
            </Button>
          ) : null}
        </Space>
      }
    >
      {list.length === 0 ? <Empty description={t('tags.empty')} /> : null}
      <div style={{ display: 'grid', gap: 16 }}>
        {list.map((g) => (
          <Card
            key={g.id}
            size="small"
            type="inner"
            title={
              <Space size={12}>
                {g.name}
                <WeComTagSyncSwitch groupId={g.id} state={synced.data?.get(g.id)} canManage={canManage} />
              </Space>
            }
            extra={
              canManage ? (
                <Space size={0}>
                  <Button type="link" onClick={() => open({ kind: 'tag', groupId: g.id })}>
                    {t('tags.addTag')}
                  </Button>
                  <Button type="link" onClick={() => open({ kind: 'group', group: g })}>
                    {t('common.edit')}
                  </Button>
                  {g.tags.length === 0 ? (
                    <Popconfirm
                      title={t('tags.removeGroupConfirm')}
                      okText={t('common.delete')}
                      cancelText={t('common.cancel')}
                      onConfirm={() => act(removeGroup.mutateAsync(g.id))}
                    >
                      <Button type="link" danger>
                        {t('common.delete')}
                      </Button>
                    </Popconfirm>
                  ) : null}
                </Space>
              ) : null
            }
          >
            {g.tags.filter((tag) => showArchived || !tag.archivedAt).length === 0 ? (
              <Typography.Text type="secondary">{t('tags.noTags')}</Typography.Text>
            ) : null}
            <Space wrap>
              {g.tags
                .filter((tag) => showArchived || !tag.archivedAt)
                .map((tag) => (
                  <Tag
                    key={tag.id}
                    color={tag.archivedAt ? undefined : tag.color}
                    style={{ cursor: canManage ? 'pointer' : undefined, opacity: tag.archivedAt ? 0.6 : 1 }}
                    onClick={canManage ? () => open({ kind: 'tag', groupId: g.id, tag }) : undefined}
                  >
                    {tag.name} · {tag.customers}
                    {tag.archivedAt ? ` (${t('tags.archived')})` : ''}
                  </Tag>
                ))}
            </Space>
          </Card>
        ))}
      </div>
      <Modal
        open={editing !== null}
        title={
          editing?.kind === 'group'
            ? editing.group
              ? t('common.edit')
              : t('tags.addGroup')
            : editing?.tag
              ? t('common.edit')
              : t('tags.addTag')
        }
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        onCancel={() => setEditing(null)}
        onOk={save}
        destroyOnHidden
        footer={(buttons) => (
          <Space>
            {editing?.kind === 'tag' && editing.tag ? (
              <Button
                onClick={async () => {
                  const tag = editing.tag;
                  if (
                    tag &&
                    (await act(updateTag.mutateAsync({ id: tag.id, body: { archived: !tag.archivedAt } })))
                  )
                    setEditing(null);
                }}
              >
                {editing.tag.archivedAt ? t('tags.restore') : t('tags.archive')}
              </Button>
            ) : null}
            {buttons}
          </Space>
        )}
      >
        <Form form={form} layout="vertical">
          <Form.Item
            name="name"
            label={editing?.kind === 'group' ? t('tags.groupName') : t('tags.tagName')}
            rules={[{ required: true, max: 50 }]}
          >
            <Input autoFocus />
          </Form.Item>
          {editing?.kind === 'tag' ? (
            <>
              <Form.Item name="color" label={t('tags.color')}>
                <Select
                  options={COLORS.map((c) => ({
                    value: c,
                    label: <Tag color={c}>{t(`tags.color.${c}`)}</Tag>,
                  }))}
                />
              </Form.Item>
              {editing.tag ? (
                <Form.Item name="groupId" label={t('tags.group')}>
                  <Select options={list.map((g) => ({ value: g.id, label: g.name }))} />
                </Form.Item>
              ) : null}
            </>
          ) : null}
        </Form>
      </Modal>
    </Card>
  );
}
