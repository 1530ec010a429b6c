import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Seals secrets stored in the database (WeCom app secrets, callback keys) with the server's
 * 32-byte secret key: AES-256-GCM, a fresh 12-byte nonce per value, the tenant id as
 * associated data so a sealed value copied to another tenant's row does not open. Stored as
 * `v1:<base64 nonce|tag|ciphertext>`. A database dump alone reveals none of them.
 */
export interface SecretBox {
  seal(plain: string, tenantId: string): string;
  /** Null when the value was sealed with another key or has been tampered with. */
  open(sealed: string, tenantId: string): string | null;
}

const PREFIX = 'v1:';

export function createSecretBox(key: Uint8Array): SecretBox {
  if (key.length !== 32) throw new RangeError('the secret key must be 32 bytes');
  const k = Buffer.from(key);
  return {
    seal(plain, tenantId) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', k, nonce);
      cipher.setAAD(Buffer.from(tenantId, 'utf8'));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return PREFIX + Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64');
    },
    open(sealed, tenantId) {
      if (!sealed.startsWith(PREFIX)) return null;
      const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
      if (raw.length < 28) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', k, raw.subarray(0, 12));
        decipher.setAAD(Buffer.from(tenantId, 'utf8'));
        decipher.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      } catch {
        return null;
      }
    },
  };
}

/** Shows the first and last few characters of a secret, enough to recognise it. */
export function maskSecret(value: string): string {
  if (value.length <= 8) return '•'.repeat(value.length);
  return `${value.slice(0, 3)}${'•'.repeat(Math.min(12, value.length - 6))}${value.slice(-3)}`;
}
