import { DeleteOutlined } from '@ant-design/icons';
import {
  type AttributeOp,
  RULE_FIELDS,
  RULE_OPS,
  RULE_TYPE_OF_ATTRIBUTE,
  type RuleFieldType,
} from '@pond/contracts';
import { Button, Input, InputNumber, Select, Space, Tooltip, Typography } from 'antd';
import { useAttributes } from '../../api/use-attributes.ts';
import { useCatalog } from '../../api/use-events.ts';
import { useTagGroups } from '../../api/use-tags.ts';
import { type MessageKey, useI18n } from '../../i18n/i18n.tsx';
import {
  AudiencePicker,
  ChannelPicker,
  GroupPicker,
  StaffPicker,
  StorePicker,
  UnitTreePicker,
} from './relationship-pickers.tsx';
import { type Draft, type DraftKind, KINDS, newDraft } from './rule-drafts.ts';

const FIELD_LABEL: Record<string, MessageKey> = {
  name: 'customers.name',
  gender: 'customers.gender',
  region: 'customers.region',
  city: 'customers.city',
  membershipLevel: 'customers.membership',
  lifecycleStage: 'customers.lifecycle',
  sourceChannel: 'customers.source',
  birthday: 'customers.birthday',
  ownerStaffId: 'customers.owner',
  storeId: 'customers.store',
  orderCount: 'customers.orders',
  totalSpend: 'customers.spend',
  firstSeenAt: 'customers.firstSeen',
  lastActiveAt: 'customers.lastActive',
  lastOrderAt: 'audiences.lastOrder',
  createdAt: 'common.createdAt',
  rfmRecency: 'stratification.recency',
  rfmFrequency: 'stratification.frequency',
  rfmMonetary: 'stratification.monetary',
  rfmSegment: 'stratification.segment',
};

function ValueInput({
  type,
  op,
  value,
  onChange,
}: {
  type: RuleFieldType;
  op: AttributeOp;
  value: unknown;
  onChange: (v: unknown) => void;
}) {
  const { t } = useI18n();
  if (op === 'exists' || op === 'not_exists') return null;
  if (op === 'within_last' || op === 'before_last') {
    return (
      <InputNumber
        min={1}
        max={3650}
        addonAfter={t('audiences.days')}
        value={value as number}
        onChange={onChange}
      />
    );
  }
  const numeric = type === 'number' || type === 'timestamp';
  if (op === 'in' || op === 'not_in') {
    return (
      <Select
        mode="tags"
        style={{ minWidth: 200 }}
        value={(value as string[]) ?? []}
        onChange={onChange}
        open={false}
        tokenSeparators={[',', '，']}
      />
    );
  }
  if (op === 'between') {
    const pair = (value as [unknown, unknown]) ?? [undefined, undefined];
    const set = (i: 0 | 1, v: unknown) => onChange(i === 0 ? [v, pair[1]] : [pair[0], v]);
    return numeric ? (
      <Space.Compact>
        <InputNumber value={pair[0] as number} onChange={(v) => set(0, v)} />
        <InputNumber value={pair[1] as number} onChange={(v) => set(1, v)} />
      </Space.Compact>
    ) : (
      <Space.Compact>
        <Input value={pair[0] as string} placeholder="2026-01-01" onChange={(e) => set(0, e.target.value)} />
        <Input value={pair[1] as string} placeholder="2026-12-31" onChange={(e) => set(1, e.target.value)} />
      </Space.Compact>
    );
  }
  if (type === 'boolean') {
    return (
      <Select
        style={{ width: 100 }}
        value={value as boolean}
        onChange={onChange}
        options={[
          { value: true, label: t('common.yes') },
          { value: false, label: t('common.no') },
        ]}
      />
    );
  }
  if (numeric) return <InputNumber value={value as number} onChange={onChange} />;
  return (
    <Input
      style={{ width: 200 }}
      aria-label={t('audiences.value')}
      placeholder={type === 'date' ? '2026-05-17' : t('audiences.value')}
      value={value as string}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

/** Edits one condition: its kind, then what that kind needs. */
export function ConditionRow({
  draft,
  onChange,
  onRemove,
  audienceId,
}: {
  draft: Draft;
  onChange: (d: Draft) => void;
  onRemove: () => void;
  /** The audience being edited, which its own rule may not name. */
  audienceId?: string;
}) {
  const { t } = useI18n();
  const attributes = useAttributes().data ?? [];
  const events = [...new Set((useCatalog().data ?? []).map((e) => e.name).filter(Boolean))];
  const groups = useTagGroups().data ?? [];
  const fieldType = (field?: string): RuleFieldType | undefined => {
    if (!field) return undefined;
    if (field.startsWith('attributes.')) {
      const def = attributes.find((a) => `attributes.${a.key}` === field);
      return def ? RULE_TYPE_OF_ATTRIBUTE[def.type] : undefined;
    }
    return RULE_FIELDS[field];
  };
  const eventSelect = (name: string | undefined, set: (name: string) => void) => (
    <Select
      showSearch
      aria-label={t('audiences.event')}
      placeholder={t('audiences.event')}
      style={{ width: 200 }}
      value={name}
      onChange={set}
      options={events.map((e) => ({ value: e, label: e }))}
    />
  );
  let body: React.ReactNode;
  switch (draft.kind) {
    case 'attribute': {
      const type = fieldType(draft.field);
      body = (
        <>
          <Select
            showSearch
            optionFilterProp="label"
            aria-label={t('audiences.field')}
            placeholder={t('audiences.field')}
            style={{ width: 160 }}
            value={draft.field}
            onChange={(field: string) => onChange({ kind: 'attribute', field })}
            options={[
              ...Object.keys(RULE_FIELDS).map((f) => ({
                value: f,
                label: t(FIELD_LABEL[f] ?? 'audiences.field'),
              })),
              ...attributes.map((a) => ({ value: `attributes.${a.key}`, label: a.label })),
            ]}
          />
          {type ? (
            <Select
              aria-label={t('audiences.op')}
              placeholder={t('audiences.op')}
              style={{ width: 130 }}
              value={draft.op}
              onChange={(op: AttributeOp) => onChange({ ...draft, op, value: undefined })}
              options={RULE_OPS[type].map((op) => ({ value: op, label: t(`audiences.op.${op}`) }))}
            />
          ) : null}
          {type && draft.op ? (
            <ValueInput
              type={type}
              op={draft.op}
              value={draft.value}
              onChange={(value) => onChange({ ...draft, value })}
            />
          ) : null}
        </>
      );
      break;
    }
    case 'tags':
      body = (
        <>
          <Select
            style={{ width: 130 }}
            value={draft.match}
            onChange={(match: 'any' | 'all' | 'none') => onChange({ ...draft, match })}
            options={(['any', 'all', 'none'] as const).map((m) => ({
              value: m,
              label: t(`audiences.tags.${m}`),
            }))}
          />
          <Select
            mode="multiple"
            aria-label={t('tags.pick')}
            placeholder={t('tags.pick')}
            style={{ minWidth: 240 }}
            optionFilterProp="label"
            value={draft.tagIds}
            onChange={(tagIds: string[]) => onChange({ ...draft, tagIds })}
            options={groups.map((g) => ({
              label: g.name,
              title: g.name,
              options: g.tags.map((x) => ({ value: x.id, label: x.name })),
            }))}
          />
        </>
      );
      break;
    case 'event':
      body = (
        <>
          {eventSelect(draft.name, (name) => onChange({ ...draft, name }))}
          <Select
            style={{ width: 90 }}
            value={draft.count.op}
            onChange={(op: 'at_least' | 'at_most' | 'exactly') =>
              onChange({ ...draft, count: { ...draft.count, op } })
            }
            options={(['at_least', 'at_most', 'exactly'] as const).map((o) => ({
              value: o,
              label: t(`audiences.count.${o}`),
            }))}
          />
          <InputNumber
            min={0}
            addonAfter={t('audiences.times')}
            value={draft.count.n}
            onChange={(n) => onChange({ ...draft, count: { ...draft.count, n: n ?? 0 } })}
          />
          <InputNumber
            min={1}
            max={3650}
            addonBefore={t('audiences.withinDays')}
            addonAfter={t('audiences.days')}
            placeholder={t('audiences.ever')}
            value={draft.withinDays}
            onChange={(d) => onChange({ ...draft, withinDays: d ?? undefined })}
          />
        </>
      );
      break;
    case 'not_since':
      body = (
        <>
          {eventSelect(draft.name, (name) => onChange({ ...draft, name }))}
          <InputNumber
            min={1}
            max={3650}
            addonBefore={t('audiences.notFor')}
            addonAfter={t('audiences.days')}
            value={draft.days}
            onChange={(d) => onChange({ ...draft, days: d ?? undefined })}
          />
        </>
      );
      break;
    case 'owner_staff':
      body = <StaffPicker value={draft.staffIds} onChange={(staffIds) => onChange({ ...draft, staffIds })} />;
      break;
    case 'store':
      body = <StorePicker value={draft.storeIds} onChange={(storeIds) => onChange({ ...draft, storeIds })} />;
      break;
    case 'org_unit':
      body = (
        <>
          <UnitTreePicker value={draft.unitIds} onChange={(unitIds) => onChange({ ...draft, unitIds })} />
          <Select
            aria-label={t('audiences.via')}
            style={{ width: 160 }}
            value={draft.via}
            onChange={(via: 'either' | 'owner' | 'store') => onChange({ ...draft, via })}
            options={(['either', 'owner', 'store'] as const).map((v) => ({
              value: v,
              label: t(`audiences.via.${v}`),
            }))}
          />
        </>
      );
      break;
    case 'source_channel':
      body = (
        <ChannelPicker value={draft.channels} onChange={(channels) => onChange({ ...draft, channels })} />
      );
      break;
    case 'customer_group':
      body = <GroupPicker value={draft.groupIds} onChange={(groupIds) => onChange({ ...draft, groupIds })} />;
      break;
    case 'audience':
      body = (
        <>
          <Select
            style={{ width: 120 }}
            value={draft.match}
            onChange={(match: 'in' | 'not_in') => onChange({ ...draft, match })}
            options={(['in', 'not_in'] as const).map((m) => ({
              value: m,
              label: t(`audiences.member.${m}`),
            }))}
          />
          <AudiencePicker
            value={draft.audienceId}
            exclude={audienceId}
            onChange={(id) => onChange({ ...draft, audienceId: id })}
          />
        </>
      );
      break;
    case 'other':
      body = (
        <Tooltip title={t('audiences.otherHint')}>
          <Typography.Text code style={{ maxWidth: 420 }} ellipsis>
            {JSON.stringify(draft.rule)}
          </Typography.Text>
        </Tooltip>
      );
      break;
  }
  return (
    <Space wrap>
      <Select<string>
        style={{ width: 110 }}
        popupMatchSelectWidth={false}
        value={draft.kind}
        disabled={draft.kind === 'other'}
        onChange={(kind: string) => onChange(newDraft(kind as DraftKind))}
        options={[
          ...KINDS.map((k) => ({ value: k, label: t(`audiences.kind.${k}`) })),
          ...(draft.kind === 'other' ? [{ value: 'other', label: t('audiences.kind.other') }] : []),
        ]}
      />
      {body}
      <Button type="text" aria-label={t('common.delete')} icon={<DeleteOutlined />} onClick={onRemove} />
    </Space>
  );
}
