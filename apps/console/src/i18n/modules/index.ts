/**
 * Messages of the console's modules, each in a file of its own (`<module>.ts` exporting
 * `{ zhCN, en }`, with `en` typed against the module's `zhCN` keys). A module adds one spread
 * to each dictionary below.
 */
export const moduleZhCN = {} as const;

export const moduleEn: Record<keyof typeof moduleZhCN, string> = {};
