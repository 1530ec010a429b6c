import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The 32-byte key that seals secrets stored in the database (WeCom app secrets, callback
 * keys): `POND_SECRET_KEY` (Base64) when set — every node of a cluster must share it — else
 * `<data dir>/secret.key`, created on first start with owner-only permissions. Either way a
 * database dump alone does not reveal the secrets.
 */
export async function loadSecretKey(configured: string | null, dataDir: string): Promise<Uint8Array> {
  if (configured !== null) {
    const key = Buffer.from(configured, 'base64');
    if (key.length !== 32)
      throw new Error('POND_SECRET_KEY must be the Base64 of 32 random bytes (openssl rand -base64 32)');
    return key;
  }
  const file = join(dataDir, 'secret.key');
  try {
    const key = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte Base64 key`);
    return key;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const key = randomBytes(32);
  await mkdir(dataDir, { recursive: true });
  // `wx`: two processes starting at once do not overwrite each other's key.
  try {
    await writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return loadSecretKey(null, dataDir);
    throw e;
  }
  return key;
}
