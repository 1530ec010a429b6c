import { LIFECYCLE_STAGES, type LifecycleStage, type RfmSegment } from '@pond/contracts';
import type { MessageKey } from '../../i18n/i18n.tsx';

export const STAGE_COLOR: Record<LifecycleStage, string> = {
  new: 'cyan',
  active: 'green',
  loyal: 'gold',
  at_risk: 'orange',
  churned: 'default',
};

export const stageKey = (stage: LifecycleStage): MessageKey => `stratification.stage.${stage}`;
export const segmentKey = (segment: RfmSegment): MessageKey => `stratification.segment.${segment}`;

const STAGES = new Set<string>(LIFECYCLE_STAGES);

/** A stored stage in the reader's language; anything else as it is, and nothing as a dash. */
export function stageText(t: (key: MessageKey) => string, value: string | null | undefined): string {
  if (!value) return '—';
  return STAGES.has(value) ? t(stageKey(value as LifecycleStage)) : value;
}
