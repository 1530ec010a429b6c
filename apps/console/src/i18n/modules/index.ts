/**
 * Messages of the console's modules, each in a file of its own (`<module>.ts` exporting
 * `{ zhCN, en }`, with `en` typed against the module's `zhCN` keys). A module adds one spread
 * to each dictionary below.
 */
import * as audiences from './audiences.ts';
import * as stratification from './stratification.ts';
import * as wecom from './wecom.ts';
import * as wecomLiveCodes from './wecom-live-codes.ts';
import * as wecomTagSync from './wecom-tag-sync.ts';

export const moduleZhCN = {
  ...audiences.zhCN,
  ...stratification.zhCN,
  ...wecom.zhCN,
  ...wecomLiveCodes.zhCN,
  ...wecomTagSync.zhCN,
} as const;

export const moduleEn: Record<keyof typeof moduleZhCN, string> = {
  ...audiences.en,
  ...stratification.en,
  ...wecom.en,
  ...wecomLiveCodes.en,
  ...wecomTagSync.en,
};
