import { PlusOutlined } from '@ant-design/icons';
import type { Rule } from '@pond/contracts';
import { Button, Segmented } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useI18n } from '../../i18n/i18n.tsx';
import { ConditionRow, type Draft, newDraft, toRule } from './condition-row.tsx';

/**
 * Conditions joined by "all" or "any". Reports the rule as it is edited, or null while a
 * condition is incomplete.
 */
export function RuleBuilder({ onChange }: { onChange: (rule: Rule | null) => void }) {
  const { t } = useI18n();
  const [match, setMatch] = useState<'all' | 'any'>('all');
  const [drafts, setDrafts] = useState<Draft[]>([newDraft('attribute')]);
  const rule = useMemo<Rule | null>(() => {
    const rules = drafts.map(toRule);
    return rules.length > 0 && rules.every((r): r is Rule => r !== null) ? { kind: match, rules } : null;
  }, [drafts, match]);
  const key = JSON.stringify(rule);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the rule is compared by its JSON
  useEffect(() => onChange(rule), [key]);
  const set = (i: number, d: Draft) => setDrafts(drafts.map((x, j) => (j === i ? d : x)));
  return (
    <>
      <Segmented
        style={{ marginBottom: 16 }}
        value={match}
        onChange={(v) => setMatch(v as 'all' | 'any')}
        options={[
          { value: 'all', label: t('audiences.match.all') },
          { value: 'any', label: t('audiences.match.any') },
        ]}
      />
      <div style={{ display: 'grid', gap: 12 }}>
        {drafts.map((d, i) => (
          <ConditionRow
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
            key={i}
            draft={d}
            onChange={(next) => set(i, next)}
            onRemove={() => setDrafts(drafts.filter((_, j) => j !== i))}
          />
        ))}
      </div>
      <Button
        style={{ marginTop: 16 }}
        icon={<PlusOutlined />}
        onClick={() => setDrafts([...drafts, newDraft('attribute')])}
      >
        {t('audiences.addCondition')}
      </Button>
    </>
  );
}
