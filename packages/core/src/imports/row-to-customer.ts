import type { Identity, IdentityType } from '@pond/contracts';
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
) {
  const identities: Identity[] = [];
  const profile: ProfilePatch = {};
  const attributes: Record<string, string> = {};
  const problems: RowProblem[] = [];
  columns.forEach((column, i) => {
    const target = mapping[column] ?? 'ignore';
    const raw = (values[i] ?? '').trim();
    if (target === 'ignore' || raw === '') return;
    if (target === 'phone' || target === 'email' || target.startsWith('identity:')) {
      const type = (
        target.startsWith('identity:') ? target.slice('identity:'.length) : target
      ) as IdentityType;
      const n = normalizeIdentity({ type, value: raw }, column);
      if (!n.ok) return problems.push({ column, reason: n.error.message });
      identities.push({ type, value: n.value.value });
      if (type === 'phone') profile.phone = n.value.value;
      if (type === 'email') profile.email = n.value.value;
      return;
    }
    if (target.startsWith('attribute:')) {
      attributes[target.slice('attribute:'.length)] = raw;
      return;
    }
    switch (target) {
      case 'gender': {
        const g = GENDER[raw.toLowerCase()];
        if (!g) return problems.push({ column, reason: `"${raw}" is not a gender (男/女/male/female)` });
        profile.gender = g;
        return;
      }
      case 'birthday': {
        const d = parseDate(raw);
        if (!d) return problems.push({ column, reason: `"${raw}" is not a date such as 1990-05-17` });
        profile.birthday = d;
        return;
      }
      case 'name':
      case 'region':
      case 'city':
        profile[target] = raw.slice(0, 100);
        return;
      case 'membershipLevel':
        profile.membership_level = raw.slice(0, 50);
        return;
      case 'lifecycleStage':
        profile.lifecycle_stage = raw.slice(0, 50);
        return;
      case 'sourceChannel':
        profile.source_channel = raw.slice(0, 100);
        return;
    }
  });
  if (identities.length === 0 && problems.length === 0) {
    problems.push({
      column: '',
      reason: 'the row has no identity (phone, email or an id column) to match or create a customer by',
    });
  }
  return { identities, profile, attributes, problems };
}
