import { DatePicker, Input, Select, Space } from 'antd';
import { useState } from 'react';
import { type CustomerFilters as Filters, useCustomerFacets } from '../../api/use-customers.ts';
import { useOrgUnits } from '../../api/use-org-units.ts';
import { useStaffList } from '../../api/use-staff.ts';
import { useTagGroups } from '../../api/use-tags.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { stageText } from '../stratification/labels.ts';

const FACET_FIELDS = [
  ['membershipLevel', 'customers.membership'],
  ['lifecycleStage', 'customers.lifecycle'],
  ['sourceChannel', 'customers.source'],
  ['city', 'customers.city'],
] as const;

/** Search, the profile-field filters (values offered from the data), store, owner and created date. */
export function CustomerFilters({ value, onChange }: { value: Filters; onChange: (next: Filters) => void }) {
  const { t } = useI18n();
  const facets = useCustomerFacets();
  const units = useOrgUnits();
  const tagGroups = useTagGroups();
  const [staffQuery, setStaffQuery] = useState('');
  const staff = useStaffList({ q: staffQuery || undefined, status: 'active' });
  const set = (patch: Partial<Filters>) => onChange({ ...value, ...patch });
  const width = { width: 150 };
  return (
    <Space wrap style={{ marginBottom: 16 }}>
      <Input.Search
        allowClear
        placeholder={t('customers.searchPlaceholder')}
        onSearch={(q) => set({ q: q || undefined })}
        style={{ width: 280 }}
      />
      {FACET_FIELDS.map(([field, label]) => (
        <Select
          key={field}
          allowClear
          showSearch
          aria-label={t(label)}
          placeholder={t(label)}
          style={width}
          value={value[field]}
          onChange={(v?: string) => set({ [field]: v })}
          options={(facets.data?.[field] ?? []).map((f) => ({
            value: f.value,
            label: `${field === 'lifecycleStage' ? stageText(t, f.value) : f.value} (${f.count})`,
          }))}
        />
      ))}
      <Select
        allowClear
        showSearch
        optionFilterProp="label"
        aria-label={t('customers.tag')}
        placeholder={t('customers.tag')}
        style={width}
        value={value.tagId}
        onChange={(v?: string) => set({ tagId: v })}
        options={(tagGroups.data ?? []).map((g) => ({
          label: g.name,
          title: g.name,
          options: g.tags.map((x) => ({ value: x.id, label: `${x.name} (${x.customers})` })),
        }))}
      />
      <Select
        allowClear
        showSearch
        optionFilterProp="label"
        aria-label={t('customers.store')}
        placeholder={t('customers.store')}
        style={width}
        value={value.storeId}
        onChange={(v?: string) => set({ storeId: v })}
        options={(units.data ?? [])
          .filter((u) => u.kind === 'store')
          .map((u) => ({ value: u.id, label: u.name }))}
      />
      <Select
        allowClear
        showSearch
        filterOption={false}
        onSearch={setStaffQuery}
        aria-label={t('customers.owner')}
        placeholder={t('customers.owner')}
        style={width}
        value={value.ownerStaffId}
        onChange={(v?: string) => set({ ownerStaffId: v })}
        options={(staff.data?.pages[0]?.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
      />
      <DatePicker.RangePicker
        placeholder={[t('customers.createdFrom'), t('customers.createdTo')]}
        onChange={(range) =>
          set({
            createdFrom: range?.[0]?.startOf('day').valueOf(),
            createdTo: range?.[1]?.endOf('day').valueOf(),
          })
        }
      />
    </Space>
  );
}
