import type { OrgUnit, Rule } from '@pond/contracts';
import { Tree, Typography } from 'antd';
import { useRuleGroups, useSavedAudiences } from '../../api/use-audiences.ts';
import { useStaffList } from '../../api/use-staff.ts';
import { useTagGroups } from '../../api/use-tags.ts';
import { useI18n } from '../../i18n/i18n.tsx';

interface Node {
  readonly key: string;
  readonly title: React.ReactNode;
  readonly children?: Node[];
}

/** A saved rule, read-only: its groups as a tree, each condition with the names it refers to. */
export function RuleOutline({ rule, units }: { rule: Rule; units: readonly OrgUnit[] }) {
  const { t } = useI18n();
  const audiences = useSavedAudiences().data ?? [];
  const staff = useStaffList({}).data?.pages[0]?.data ?? [];
  const tags = (useTagGroups().data ?? []).flatMap((g) => g.tags);
  const groups = (useRuleGroups('').data ?? []).map((g) => ({ id: g.id, name: g.name ?? g.chatId }));
  const name = (list: readonly { id: string; name: string }[], id: string) =>
    list.find((x) => x.id === id)?.name ?? id;
  const names = (list: readonly { id: string; name: string }[], ids: readonly string[]) =>
    ids.map((id) => name(list, id)).join('、');
  const leaf = (r: Rule): string => {
    switch (r.kind) {
      case 'attribute':
        return `${r.field} ${t(`audiences.op.${r.op}`)} ${r.value === undefined ? '' : JSON.stringify(r.value)}`;
      case 'tags':
        return `${t(`audiences.tags.${r.match}`)} ${names(tags, r.tagIds)}`;
      case 'event':
        return `${r.name} ${t(`audiences.count.${r.count?.op ?? 'at_least'}`)} ${r.count?.n ?? 1} ${t('audiences.times')}${r.withinDays ? ` · ${t('audiences.withinDays')} ${r.withinDays} ${t('audiences.days')}` : ''}`;
      case 'not_since':
        return `${r.name} · ${t('audiences.notFor')} ${r.days} ${t('audiences.days')}`;
      case 'owner_staff':
        return names(staff, r.staffIds);
      case 'store':
        return names(units, r.storeIds);
      case 'org_unit':
        return `${names(units, r.unitIds)} · ${t(`audiences.via.${r.via ?? 'either'}`)}`;
      case 'source_channel':
        return r.channels.join('、');
      case 'customer_group':
        return names(groups, r.groupIds);
      case 'audience':
        return `${t(`audiences.member.${r.match}`)} ${name(audiences, r.audienceId)}`;
      default:
        return JSON.stringify(r);
    }
  };
  const nodeOf = (r: Rule, key: string): Node => {
    if (r.kind === 'all' || r.kind === 'any') {
      return {
        key,
        title: <Typography.Text strong>{t(`audiences.match.${r.kind}`)}</Typography.Text>,
        children: r.rules.map((c, i) => nodeOf(c, `${key}.${i}`)),
      };
    }
    if (r.kind === 'not') {
      return {
        key,
        title: <Typography.Text strong>{t('audiences.match.none')}</Typography.Text>,
        children: [nodeOf(r.rule, `${key}.0`)],
      };
    }
    const kind = r.kind === 'aggregate' || r.kind === 'consent' ? 'other' : r.kind;
    return {
      key,
      title: (
        <span>
          <Typography.Text type="secondary">{t(`audiences.kind.${kind}`)}</Typography.Text> {leaf(r)}
        </span>
      ),
    };
  };
  return <Tree defaultExpandAll selectable={false} treeData={[nodeOf(rule, 'rule')]} />;
}
