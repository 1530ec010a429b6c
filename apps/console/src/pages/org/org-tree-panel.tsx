import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import type { OrgUnit } from '@pond/contracts';
import { App, Button, Card, Empty, Space, Spin, Tree } from 'antd';
import { useState } from 'react';
import { useDeleteOrgUnit } from '../../api/use-org-units.ts';
import { errorText } from '../../components/api-error.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { UnitModal, type UnitModalState } from './unit-modal.tsx';
import type { UnitNode } from './unit-tree.ts';

interface Props {
  readonly tree: UnitNode[];
  readonly loading: boolean;
  readonly selected: OrgUnit | null;
  readonly onSelect: (unit: OrgUnit) => void;
  readonly canWrite: boolean;
}

export function OrgTreePanel({ tree, loading, selected, onSelect, canWrite }: Props) {
  const { t } = useI18n();
  const { modal, message } = App.useApp();
  const [editing, setEditing] = useState<UnitModalState>(null);
  // Everything starts expanded, new units included; only what the user folds stays folded.
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const expandedKeys = allKeys(tree).filter((k) => !collapsed.has(k));
  const remove = useDeleteOrgUnit();

  const confirmDelete = (unit: OrgUnit) =>
    modal.confirm({
      title: t('org.deleteUnit'),
      content: t('org.deleteConfirm', { name: unit.name }),
      okText: t('common.delete'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: async () => {
        try {
          await remove.mutateAsync(unit.id);
        } catch (e) {
          message.error(errorText(e));
        }
      },
    });

  return (
    <Card
      title={t('org.tree')}
      extra={
        canWrite && selected ? (
          <Space size={0}>
            <Button
              type="text"
              icon={<PlusOutlined />}
              aria-label={t('org.addUnit')}
              title={t('org.addUnit')}
              onClick={() => setEditing({ mode: 'create', parent: selected })}
            />
            <Button
              type="text"
              icon={<EditOutlined />}
              aria-label={t('org.editUnit')}
              title={t('org.editUnit')}
              onClick={() => setEditing({ mode: 'edit', unit: selected })}
            />
            <Button
              type="text"
              danger
              icon={<DeleteOutlined />}
              aria-label={t('org.deleteUnit')}
              title={t('org.deleteUnit')}
              disabled={selected.kind === 'hq'}
              onClick={() => confirmDelete(selected)}
            />
          </Space>
        ) : null
      }
    >
      {loading ? <Spin /> : null}
      {!loading && tree.length === 0 ? <Empty description={t('common.empty')} /> : null}
      {tree.length > 0 ? (
        <Tree
          treeData={tree}
          expandedKeys={expandedKeys}
          onExpand={(keys) => {
            const open = new Set(keys.map(String));
            setCollapsed(new Set(allKeys(tree).filter((k) => !open.has(k))));
          }}
          blockNode
          selectedKeys={selected ? [selected.id] : []}
          onSelect={(_, info) => onSelect((info.node as unknown as UnitNode).unit)}
        />
      ) : null}
      <UnitModal state={editing} tree={tree} onClose={() => setEditing(null)} />
    </Card>
  );
}

function allKeys(nodes: readonly UnitNode[]): string[] {
  return nodes.flatMap((n) => [n.key, ...allKeys(n.children)]);
}
