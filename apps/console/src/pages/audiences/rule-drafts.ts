import type { AttributeOp, Rule } from '@pond/contracts';

/** One condition as the builder edits it: a rule leaf, possibly still incomplete. */
export type Draft =
  | { kind: 'attribute'; field?: string; op?: AttributeOp; value?: unknown }
  | { kind: 'tags'; match: 'any' | 'all' | 'none'; tagIds: string[] }
  | {
      kind: 'event';
      name?: string;
      count: { op: 'at_least' | 'at_most' | 'exactly'; n: number };
      withinDays?: number;
    }
  | { kind: 'not_since'; name?: string; days?: number }
  | { kind: 'owner_staff'; staffIds: string[] }
  | { kind: 'store'; storeIds: string[] }
  | { kind: 'org_unit'; unitIds: string[]; via: 'either' | 'owner' | 'store' }
  | { kind: 'source_channel'; channels: string[] }
  | { kind: 'customer_group'; groupIds: string[] }
  | { kind: 'audience'; audienceId?: string; match: 'in' | 'not_in' }
  /** A condition the builder has no editor for (kept as it is, shown, and removable). */
  | { kind: 'other'; rule: Rule };

/** The kinds a new condition can take, in the order the builder offers them. */
export const KINDS = [
  'attribute',
  'tags',
  'event',
  'not_since',
  'owner_staff',
  'store',
  'org_unit',
  'source_channel',
  'customer_group',
  'audience',
] as const;
export type DraftKind = (typeof KINDS)[number];

export function newDraft(kind: DraftKind): Draft {
  switch (kind) {
    case 'tags':
      return { kind, match: 'any', tagIds: [] };
    case 'event':
      return { kind, count: { op: 'at_least', n: 1 } };
    case 'owner_staff':
      return { kind, staffIds: [] };
    case 'store':
      return { kind, storeIds: [] };
    case 'org_unit':
      return { kind, unitIds: [], via: 'either' };
    case 'source_channel':
      return { kind, channels: [] };
    case 'customer_group':
      return { kind, groupIds: [] };
    case 'audience':
      return { kind, match: 'in' };
    default:
      return { kind };
  }
}

/** The draft as a rule, or null while something is missing. */
export function draftToRule(d: Draft): Rule | null {
  switch (d.kind) {
    case 'attribute': {
      if (!d.field || !d.op) return null;
      const none = d.op === 'exists' || d.op === 'not_exists';
      const empty =
        d.value === undefined ||
        d.value === null ||
        d.value === '' ||
        (Array.isArray(d.value) &&
          (d.value.length === 0 || d.value.some((v) => v === undefined || v === null)));
      if (!none && empty) return null;
      return { kind: 'attribute', field: d.field, op: d.op, ...(none ? {} : { value: d.value as string }) };
    }
    case 'tags':
      return d.tagIds.length > 0 ? d : null;
    case 'event':
      return d.name
        ? {
            kind: 'event',
            name: d.name,
            count: d.count,
            ...(d.withinDays ? { withinDays: d.withinDays } : {}),
          }
        : null;
    case 'not_since':
      return d.name && d.days ? { kind: 'not_since', name: d.name, days: d.days } : null;
    case 'owner_staff':
      return d.staffIds.length > 0 ? d : null;
    case 'store':
      return d.storeIds.length > 0 ? d : null;
    case 'org_unit':
      return d.unitIds.length > 0
        ? { kind: 'org_unit', unitIds: d.unitIds, ...(d.via === 'either' ? {} : { via: d.via }) }
        : null;
    case 'source_channel':
      return d.channels.length > 0 ? d : null;
    case 'customer_group':
      return d.groupIds.length > 0 ? d : null;
    case 'audience':
      return d.audienceId ? { kind: 'audience', audienceId: d.audienceId, match: d.match } : null;
    case 'other':
      return d.rule;
  }
}

/** A rule leaf as a draft; conditions without an editor here are kept as they are. */
export function ruleToDraft(r: Rule): Draft {
  switch (r.kind) {
    case 'attribute':
      return { kind: 'attribute', field: r.field, op: r.op, value: r.value };
    case 'tags':
      return { kind: 'tags', match: r.match, tagIds: [...r.tagIds] };
    case 'event':
      return r.where?.length
        ? { kind: 'other', rule: r }
        : {
            kind: 'event',
            name: r.name,
            count: r.count ?? { op: 'at_least', n: 1 },
            ...(r.withinDays ? { withinDays: r.withinDays } : {}),
          };
    case 'not_since':
      return { kind: 'not_since', name: r.name, days: r.days };
    case 'owner_staff':
      return { kind: 'owner_staff', staffIds: [...r.staffIds] };
    case 'store':
      return { kind: 'store', storeIds: [...r.storeIds] };
    case 'org_unit':
      return { kind: 'org_unit', unitIds: [...r.unitIds], via: r.via ?? 'either' };
    case 'source_channel':
      return { kind: 'source_channel', channels: [...r.channels] };
    case 'customer_group':
      return { kind: 'customer_group', groupIds: [...r.groupIds] };
    case 'audience':
      return { kind: 'audience', audienceId: r.audienceId, match: r.match };
    default:
      return { kind: 'other', rule: r };
  }
}
