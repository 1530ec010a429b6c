import { SettingOutlined } from '@ant-design/icons';
import type { AttributeDefinition, Customer } from '@pond/contracts';
import { Button, Checkbox, Popover, type TableColumnType } from 'antd';

import { useState } from 'react';
import { formatTime } from '../../components/format.ts';
import { type MessageKey, useI18n } from '../../i18n/i18n.tsx';
import { stageText } from '../stratification/labels.ts';

const STORAGE_KEY = 'pond.customers.columns';
const DEFAULT = ['phone', 'city', 'membershipLevel', 'lifecycleStage', 'lastActiveAt', 'createdAt'];

/** Standard columns a user may show, in display order. */
const STANDARD: readonly [keyof Customer, MessageKey][] = [
  ['phone', 'customers.phone'],
  ['email', 'customers.email'],
  ['gender', 'customers.gender'],
  ['birthday', 'customers.birthday'],
  ['region', 'customers.region'],
  ['city', 'customers.city'],
  ['membershipLevel', 'customers.membership'],
  ['lifecycleStage', 'customers.lifecycle'],
  ['sourceChannel', 'customers.source'],
  ['orderCount', 'customers.orders'],
  ['totalSpend', 'customers.spend'],
  ['firstSeenAt', 'customers.firstSeen'],
  ['lastActiveAt', 'customers.lastActive'],
  ['createdAt', 'common.createdAt'],
];

/** The chosen columns, kept in this browser between visits. */
export function useColumnChoice() {
  const [chosen, setChosen] = useState<string[]>(() => {
    try {
      const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null');
      return Array.isArray(saved) ? saved : DEFAULT;
    } catch {
      return DEFAULT;
    }
  });
  const choose = (next: string[]) => {
    setChosen(next);
    localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  };
  return [chosen, choose] as const;
}

/** Table columns for the chosen keys: standard fields, then custom attributes (`attr:<key>`). */
export function useCustomerColumns(chosen: readonly string[], attributes: readonly AttributeDefinition[]) {
  const { t, language } = useI18n();
  const time = (at: number | null) => (at ? formatTime(at, language) : '—');
  const show = (v: unknown) =>
    v === null || v === undefined
      ? '—'
      : typeof v === 'boolean'
        ? t(v ? 'common.yes' : 'common.no')
        : Array.isArray(v)
          ? v.join('、')
          : String(v);
  const columns: TableColumnType<Customer>[] = [
    {
      title: t('customers.name'),
      dataIndex: 'name',
      render: (n: string | null) => n ?? t('customers.unnamed'),
    },
  ];
  for (const [key, label] of STANDARD) {
    if (!chosen.includes(key)) continue;
    columns.push({
      key,
      title: t(label),
      render: (_: unknown, c: Customer) =>
        key.endsWith('At')
          ? time(c[key] as number | null)
          : key === 'gender'
            ? t(`customers.gender.${c.gender}`)
            : key === 'totalSpend'
              ? c.totalSpend.toFixed(2)
              : key === 'lifecycleStage'
                ? stageText(t, c.lifecycleStage)
                : show(c[key]),
    });
  }
  for (const def of attributes) {
    if (!chosen.includes(`attr:${def.key}`)) continue;
    columns.push({
      key: `attr:${def.key}`,
      title: def.label,
      render: (_: unknown, c: Customer) => show(c.attributes[def.key]),
    });
  }
  return columns;
}

export function ColumnChooser({
  chosen,
  onChange,
  attributes,
}: {
  chosen: string[];
  onChange: (next: string[]) => void;
  attributes: readonly AttributeDefinition[];
}) {
  const { t } = useI18n();
  const options = [
    ...STANDARD.map(([key, label]) => ({ value: key as string, label: t(label) })),
    ...attributes.map((d) => ({ value: `attr:${d.key}`, label: d.label })),
  ];
  return (
    <Popover
      trigger="click"
      placement="bottomRight"
      title={t('customers.columns')}
      content={
        <Checkbox.Group
          value={chosen}
          onChange={(v) => onChange(v as string[])}
          style={{ display: 'grid', gap: 6, maxHeight: 360, overflowY: 'auto' }}
          options={options}
        />
      }
    >
      <Button icon={<SettingOutlined />}>{t('customers.columns')}</Button>
    </Popover>
  );
}
