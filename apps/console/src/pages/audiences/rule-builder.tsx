import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { MAX_RULE_DEPTH, MAX_RULE_NODES, type Rule } from '@pond/contracts';
import { Alert, Button, Segmented, Space } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useI18n } from '../../i18n/i18n.tsx';
import { ConditionRow } from './condition-row.tsx';
import {
  canNest,
  childLevel,
  conditionNode,
  edit,
  type GroupKind,
  type GroupNode,
  groupNode,
  ruleOf,
  type TreeNode,
  treeOf,
  withinLimits,
} from './rule-tree.ts';

const GROUP_COLORS = ['#1677ff', '#13c2c2', '#722ed1', '#fa8c16', '#eb2f96', '#52c41a'];

/** One group: how its children combine, the children (conditions and groups), and adders. */
function GroupBox({
  group,
  level,
  root,
  audienceId,
  onEdit,
}: {
  group: GroupNode;
  level: number;
  root: boolean;
  audienceId?: string;
  onEdit: (key: string, fn: (n: TreeNode) => TreeNode | null) => void;
}) {
  const { t } = useI18n();
  const setGroup = (fn: (g: GroupNode) => GroupNode) =>
    onEdit(group.key, (n) => (n.type === 'group' ? fn(n) : n));
  const inner = childLevel(group, level);
  return (
    <fieldset
      aria-label={t('audiences.groupType')}
      style={
        root
          ? { border: 0, margin: 0, padding: 0, minWidth: 0 }
          : {
              border: 0,
              margin: 0,
              minWidth: 0,
              borderLeft: `3px solid ${GROUP_COLORS[(level - 2) % GROUP_COLORS.length]}`,
              background: 'rgba(0, 0, 0, 0.02)',
              borderRadius: 6,
              padding: '12px 12px 12px 16px',
            }
      }
    >
      <Space style={{ marginBottom: 12 }} wrap>
        <Segmented
          value={group.kind}
          onChange={(kind) => setGroup((g) => ({ ...g, kind: kind as GroupKind }))}
          options={[
            { value: 'all', label: t('audiences.match.all') },
            { value: 'any', label: t('audiences.match.any') },
            { value: 'not', label: t('audiences.match.none') },
          ]}
        />
        {root ? null : (
          <Button
            type="text"
            danger
            icon={<DeleteOutlined />}
            aria-label={t('audiences.removeGroup')}
            onClick={() => onEdit(group.key, () => null)}
          >
            {t('audiences.removeGroup')}
          </Button>
        )}
      </Space>
      <div style={{ display: 'grid', gap: 12 }}>
        {group.children.map((child) =>
          child.type === 'group' ? (
            <GroupBox
              key={child.key}
              group={child}
              level={inner}
              root={false}
              audienceId={audienceId}
              onEdit={onEdit}
            />
          ) : (
            <ConditionRow
              key={child.key}
              draft={child.draft}
              audienceId={audienceId}
              onChange={(draft) => onEdit(child.key, () => ({ ...child, draft }))}
              onRemove={() => onEdit(child.key, () => null)}
            />
          ),
        )}
      </div>
      <Space style={{ marginTop: 12 }}>
        <Button
          icon={<PlusOutlined />}
          onClick={() => setGroup((g) => ({ ...g, children: [...g.children, conditionNode()] }))}
        >
          {t('audiences.addCondition')}
        </Button>
        <Button
          icon={<PlusOutlined />}
          disabled={!canNest(group, level)}
          onClick={() => setGroup((g) => ({ ...g, children: [...g.children, groupNode('all')] }))}
        >
          {t('audiences.addGroup')}
        </Button>
      </Space>
    </fieldset>
  );
}

/**
 * Conditions in groups of "all", "any" or "none", nested up to the depth rules allow. Reports
 * the rule as it is edited, or null while a condition is incomplete, a group is empty or the
 * rule is past the limits. `initial` is the rule to start from (editing a saved one).
 */
export function RuleBuilder({
  onChange,
  initial,
  audienceId,
}: {
  onChange: (rule: Rule | null) => void;
  initial?: Rule;
  audienceId?: string;
}) {
  const { t } = useI18n();
  const [root, setRoot] = useState<GroupNode>(() => (initial ? treeOf(initial) : groupNode('all')));
  const built = useMemo(() => ruleOf(root), [root]);
  const tooBig = built !== null && !withinLimits(built);
  const rule = tooBig ? null : built;
  const key = JSON.stringify(rule);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the rule is compared by its JSON
  useEffect(() => onChange(rule), [key]);
  return (
    <>
      <GroupBox
        group={root}
        level={1}
        root
        audienceId={audienceId}
        onEdit={(k, fn) => setRoot((r) => edit(r, k, fn))}
      />
      {tooBig ? (
        <Alert
          style={{ marginTop: 12 }}
          type="warning"
          showIcon
          message={t('audiences.limits', { depth: MAX_RULE_DEPTH, nodes: MAX_RULE_NODES })}
        />
      ) : null}
    </>
  );
}
