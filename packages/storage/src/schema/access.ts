export interface UserTable {
  id: string;
  tenant_id: string;
  name: string;
  /** Lower-cased; unique across tenants (it is what a person signs in with). */
  email: string | null;
  /** E.164; unique across tenants. */
  mobile: string | null;
  password_hash: string;
  role: string;
  /** The org unit whose subtree this user may see and change. */
  scope_unit_id: string;
  staff_id: string | null;
  status: 'active' | 'disabled';
  locale: string;
  last_sign_in_at: number | null;
  password_changed_at: number;
  created_at: number;
  updated_at: number;
}

export interface SessionTable {
  /** SHA-256 of the session token; the token itself is only ever in the cookie. */
  id: string;
  tenant_id: string;
  user_id: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
  ip: string | null;
  user_agent: string | null;
}

export interface SignInThrottleTable {
  /** `id:<identifier>` or `ip:<address>`. */
  key: string;
  failures: number;
  window_started_at: number;
  locked_until: number | null;
}

export interface ApiKeyTable {
  id: string;
  tenant_id: string;
  name: string;
  /** The first characters of the key, shown so people can tell keys apart. */
  prefix: string;
  /** SHA-256 of the whole key. */
  key_hash: string;
  /** JSON array of permissions. */
  scopes: string;
  created_by: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}
