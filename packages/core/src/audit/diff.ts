/** Fields that never enter the audit log, and fields whose values it keeps masked. */
const HIDDEN = new Set(['password_hash', 'passwordHash', 'password', 'key_hash', 'secret', 'csrf_token']);
const MASKED = new Set(['mobile', 'email', 'phone']);

export type Diff = Record<string, [unknown, unknown]>;

function maskValue(key: string, value: unknown): unknown {
  if (!MASKED.has(key) || typeof value !== 'string') return value;
  return value.length <= 4 ? '****' : `${value.slice(0, 3)}****${value.slice(-2)}`;
}

/**
 * The fields that differ between two snapshots, as `[before, after]`. A creation passes
 * `null` as before, a deletion `null` as after. Secrets are left out; personal data masked.
 */
export function diffOf(beforeObj: object | null, afterObj: object | null): Diff {
  const before = beforeObj as Record<string, unknown> | null;
  const after = afterObj as Record<string, unknown> | null;
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const diff: Diff = {};
  for (const key of keys) {
    if (HIDDEN.has(key) || key === 'updated_at' || key === 'updatedAt') continue;
    const a = before?.[key] ?? null;
    const b = after?.[key] ?? null;
    if (JSON.stringify(a) !== JSON.stringify(b)) diff[key] = [maskValue(key, a), maskValue(key, b)];
  }
  return diff;
}
