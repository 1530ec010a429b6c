import type { LifecycleStage, RfmSegment } from '@pond/contracts';
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
