import type { AttributeDefinition, Identity, IdentityType } from '@pond/contracts';
import { coerceAttribute } from '../customers/attributes.ts';
import { normalizeIdentity } from '../customers/identity-normalize.ts';
import type { ProfilePatch } from '../customers/resolve.ts';

export interface RowProblem {
  readonly column: string;
  readonly reason: string;
}

const GENDER: Record<string, 'male' | 'female' | 'unknown'> = {
  男: 'male',
  m: 'male',
  male: 'male',
  先生: 'male',
  女: 'female',
  f: 'female',
  female: 'female',
  女士: 'female',
  未知: 'unknown',
  unknown: 'unknown',
};

/** `1990-05-17`, `1990/5/17`, `19900517` or `1990年5月17日` → `1990-05-17`. */
function parseDate(raw: string): string | null {
  const m = /^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?$/.exec(raw.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCMonth() !== mo - 1 || y < 1900 || y > 2100) return null;
  return date.toISOString().slice(0, 10);
}

/**
 * Turns one file row into identities, profile fields and custom attributes, or the problems
 * that keep it out (each naming its column). Empty cells are skipped.
 */
export function rowToCustomer(
  columns: readonly string[],
  values: readonly string[],
  mapping: Record<string, string>,
  definitions: ReadonlyMap<string, AttributeDefinition> = new Map(),
) {
  const identities: Identity[] = [];
  const profile: ProfilePatch = {};
  const attributes: Record<string, unknown> = {};
  const problems: RowProblem[] = [];
  for (const [i, column] of columns.entries()) {
    const target = mapping[column] ?? 'ignore';
    const raw = (values[i] ?? '').trim();
    if (target === 'ignore' || raw === '') continue;
    if (target === 'phone' || target === 'email' || target.startsWith('identity:')) {
      const type = (
        target.startsWith('identity:') ? target.slice('identity:'.length) : target
      ) as IdentityType;
      const n = normalizeIdentity({ type, value: raw }, column);
      if (!n.ok) {
        problems.push({ column, reason: n.error.message });
        continue;
      }
      identities.push({ type, value: n.value.value });
      if (type === 'phone') profile.phone = n.value.value;
      if (type === 'email') profile.email = n.value.value;
      continue;
    }
    if (target.startsWith('attribute:')) {
      const key = target.slice('attribute:'.length);
      const def = definitions.get(key);
      if (!def) {
        problems.push({ column, reason: `no custom attribute "${key}" is defined` });
        continue;
      }
      const c = coerceAttribute(def, def.type === 'date' ? (parseDate(raw) ?? raw) : raw, true);
      if (c.ok) attributes[key] = c.value;
      else problems.push({ column, reason: `"${raw}" ${c.reason}` });
      continue;
    }
    switch (target) {
      case 'gender': {
        const g = GENDER[raw.toLowerCase()];
        if (!g) {
          problems.push({ column, reason: `"${raw}" is not a gender (男/女/male/female)` });
          continue;
        }
        profile.gender = g;
        continue;
      }
      case 'birthday': {
        const d = parseDate(raw);
        if (!d) {
          problems.push({ column, reason: `"${raw}" is not a date such as 1990-05-17` });
          continue;
        }
        profile.birthday = d;
        continue;
      }
      case 'name':
      case 'region':
      case 'city':
        profile[target] = raw.slice(0, 100);
        continue;
      case 'membershipLevel':
        profile.membership_level = raw.slice(0, 50);
        continue;
      case 'sourceChannel':
        profile.source_channel = raw.slice(0, 100);
        continue;
    }
  }
  if (identities.length === 0 && problems.length === 0) {
    problems.push({
      column: '',
      reason: 'the row has no identity (phone, email or an id column) to match or create a customer by',
    });
  }
  return { identities, profile, attributes, problems };
}
