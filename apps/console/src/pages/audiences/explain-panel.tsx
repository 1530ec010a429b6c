import { CheckCircleTwoTone, CloseCircleTwoTone } from '@ant-design/icons';
import type { ExplainedNode, Rule } from '@pond/contracts';
import { Alert, Select, Space, Tree, Typography } from 'antd';
import { useState } from 'react';
import { useExplain, useRuleGroups } from '../../api/use-audiences.ts';
import { useCustomerSearch } from '../../api/use-customers.ts';
import { useOrgUnits } from '../../api/use-org-units.ts';
import { useStaffList } from '../../api/use-staff.ts';
import { errorText } from '../../components/api-error.ts';
import { formatTime } from '../../components/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';

interface TreeNode {
  readonly key: string;
  readonly title: React.ReactNode;
  readonly children?: TreeNode[];
}

const shown = (v: unknown) =>
  v === null || v === undefined ? '—' : Array.isArray(v) ? v.join('、') || '—' : String(v);

/** The value a condition looked at, with names for the ids it holds. */
function useShownValue() {
  const { t, language } = useI18n();
  const units = useOrgUnits().data ?? [];
  const staff = useStaffList({}).data?.pages[0]?.data ?? [];
  const groups = (useRuleGroups('').data ?? []).map((g) => ({ id: g.id, name: g.name ?? g.chatId }));
  const name = (list: readonly { id: string; name: string }[], id: unknown) =>
    typeof id === 'string' ? (list.find((x) => x.id === id)?.name ?? id) : '—';
  return (n: ExplainedNode): string => {
    const v = n.value;
    switch (n.kind) {
      case 'owner_staff':
        return name(staff, v);
      case 'store':
        return name(units, v);
      case 'org_unit': {
        const placed = (v ?? {}) as { ownerUnitId?: unknown; storeId?: unknown };
        return t('audiences.explain.placed', {
          unit: name(units, placed.ownerUnitId),
          store: name(units, placed.storeId),
        });
      }
      case 'customer_group':
        return Array.isArray(v) && v.length > 0 ? v.map((g) => name(groups, g)).join('、') : '—';
      case 'audience':
        return typeof v === 'number'
          ? t('audiences.explain.since', { time: formatTime(v, language) })
          : t('audiences.explain.notMember');
      default:
        return shown(v);
    }
  };
}

/** Picks a customer and shows, condition by condition, why they are in or out of the rule. */
export function ExplainPanel({ rule }: { rule: Rule | null }) {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const [customerId, setCustomerId] = useState<string | undefined>();
  const found = useCustomerSearch(q);
  const explained = useExplain(rule, customerId);
  const shownValue = useShownValue();
  const toTree = (n: ExplainedNode): TreeNode => ({
    key: n.path,
    title: (
      <Space size={6}>
        {n.held ? (
          <CheckCircleTwoTone twoToneColor="#52c41a" />
        ) : (
          <CloseCircleTwoTone twoToneColor="#ff4d4f" />
        )}
        <span>{t(`audiences.explain.${n.kind}`)}</span>
        {n.children ? null : <Typography.Text type="secondary">{shownValue(n)}</Typography.Text>}
      </Space>
    ),
    ...(n.children ? { children: n.children.map(toTree) } : {}),
  });
  return (
    <>
      <Typography.Paragraph strong style={{ marginTop: 24 }}>
        {t('audiences.explain')}
      </Typography.Paragraph>
      <Select
        showSearch
        allowClear
        filterOption={false}
        aria-label={t('audiences.explainPick')}
        placeholder={t('audiences.explainPick')}
        style={{ width: '100%', marginBottom: 12 }}
        onSearch={setQ}
        value={customerId}
        onChange={setCustomerId}
        options={(found.data ?? []).map((c) => ({
          value: c.id,
          label: `${c.name ?? t('customers.unnamed')} ${c.phone ?? ''}`,
        }))}
      />
      {explained.error ? <Alert type="error" showIcon message={errorText(explained.error)} /> : null}
      {explained.data ? (
        <>
          <Typography.Text>
            {explained.data.held ? t('audiences.explainIn') : t('audiences.explainOut')}
          </Typography.Text>
          <Tree defaultExpandAll selectable={false} treeData={[toTree(explained.data)]} />
        </>
      ) : null}
    </>
  );
}
