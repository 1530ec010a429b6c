import { Select, TreeSelect } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useRuleGroups, useSavedAudiences } from '../../api/use-audiences.ts';
import { useCustomerFacets } from '../../api/use-customers.ts';
import { useOrgUnits } from '../../api/use-org-units.ts';
import { useStaffList } from '../../api/use-staff.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { buildUnitTree } from '../org/unit-tree.ts';

interface Many {
  readonly value: string[];
  readonly onChange: (ids: string[]) => void;
}

/**
 * A multiple choice searched on the server (`found` for the text typed); the names already
 * seen stay on the chosen tags when a later search no longer returns them.
 */
function SearchedPicker({
  value,
  onChange,
  label,
  useFound,
}: Many & {
  label: string;
  useFound: (q: string) => readonly { id: string; name: string }[] | undefined;
}) {
  const [q, setQ] = useState('');
  const found = useFound(q);
  const [known, setKnown] = useState<ReadonlyMap<string, string>>(new Map());
  useEffect(() => {
    if (found?.length) setKnown((k) => new Map([...k, ...found.map((f) => [f.id, f.name] as const)]));
  }, [found]);
  return (
    <Select
      mode="multiple"
      showSearch
      filterOption={false}
      onSearch={setQ}
      aria-label={label}
      placeholder={label}
      style={{ minWidth: 240 }}
      value={value}
      onChange={onChange}
      options={[...new Set([...(found ?? []).map((f) => f.id), ...value])].map((id) => ({
        value: id,
        label: known.get(id) ?? id,
      }))}
    />
  );
}

const useFoundStaff = (q: string) => useStaffList({ q: q || undefined }).data?.pages[0]?.data;

const useFoundGroups = (q: string) => {
  const found = useRuleGroups(q).data;
  return useMemo(() => found?.map((g) => ({ id: g.id, name: g.name ?? g.chatId })), [found]);
};

/** Staff members by name, searched on the server. */
export function StaffPicker(props: Many) {
  const { t } = useI18n();
  return <SearchedPicker {...props} label={t('audiences.pickStaff')} useFound={useFoundStaff} />;
}

/** Stores (org units of kind store). */
export function StorePicker({ value, onChange }: Many) {
  const { t } = useI18n();
  const units = useOrgUnits().data ?? [];
  return (
    <Select
      mode="multiple"
      optionFilterProp="label"
      aria-label={t('audiences.pickStores')}
      placeholder={t('audiences.pickStores')}
      style={{ minWidth: 240 }}
      value={value}
      onChange={onChange}
      options={units.filter((u) => u.kind === 'store').map((u) => ({ value: u.id, label: u.name }))}
    />
  );
}

/** Org units from the tree; a unit stands for its whole subtree. */
export function UnitTreePicker({ value, onChange }: Many) {
  const { t } = useI18n();
  const units = useOrgUnits().data;
  const tree = useMemo(() => buildUnitTree(units ?? [], (u) => u.name), [units]);
  return (
    <TreeSelect
      multiple
      treeDefaultExpandAll
      showSearch
      treeNodeFilterProp="title"
      aria-label={t('audiences.pickUnits')}
      placeholder={t('audiences.pickUnits')}
      style={{ minWidth: 240 }}
      value={value}
      onChange={(ids: string[]) => onChange(ids)}
      treeData={tree}
    />
  );
}

/** Source channels: those customers carry (with counts), or any typed in. */
export function ChannelPicker({ value, onChange }: Many) {
  const { t } = useI18n();
  const facets = useCustomerFacets().data?.sourceChannel ?? [];
  return (
    <Select
      mode="tags"
      aria-label={t('audiences.pickChannels')}
      placeholder={t('audiences.pickChannels')}
      style={{ minWidth: 220 }}
      value={value}
      onChange={onChange}
      tokenSeparators={[',', '，']}
      options={facets.map((f) => ({ value: f.value, label: `${f.value} (${f.count})` }))}
    />
  );
}

/** WeCom customer groups, searched by name on the server. */
export function GroupPicker(props: Many) {
  const { t } = useI18n();
  return <SearchedPicker {...props} label={t('audiences.pickGroups')} useFound={useFoundGroups} />;
}

/** A saved audience that is not archived, other than `exclude` (the one being edited). */
export function AudiencePicker({
  value,
  onChange,
  exclude,
}: {
  value: string | undefined;
  onChange: (id: string) => void;
  exclude?: string;
}) {
  const { t } = useI18n();
  const audiences = useSavedAudiences().data ?? [];
  return (
    <Select
      showSearch
      optionFilterProp="label"
      aria-label={t('audiences.pickAudience')}
      placeholder={t('audiences.pickAudience')}
      style={{ minWidth: 220 }}
      value={value}
      onChange={onChange}
      options={audiences
        .filter((a) => a.id !== exclude && (a.archivedAt === null || a.id === value))
        .map((a) => ({ value: a.id, label: `${a.name} (${a.size})` }))}
    />
  );
}
