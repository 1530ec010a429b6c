import { randomBytes } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Customers } from '../customers/customers.ts';
import type { Platform } from '../platform/platform.ts';
import { configRow, createWeComConfig, openConfig } from './config.ts';
import { createFullSync } from './full-sync.ts';
import type { WeComGatewayFactory } from './gateway.ts';
import { createInbox } from './inbox.ts';
import { createLossAlerts } from './loss-alerts.ts';
import { createReceiver } from './receiver.ts';
import { createSecretBox } from './secret-box.ts';
import { createWeComViews } from './views.ts';

export interface WeComDeps {
  /**
   * The server's 32-byte secret key sealing stored WeCom secrets. Without one, a random key
   * lives as long as the process (fine for tests; the server always passes its own).
   */
  readonly secretKey?: Uint8Array | undefined;
  /** Builds the REST client for a tenant's connection. */
  readonly gateway: WeComGatewayFactory;
  /** Pond's public address, to show the full callback URL. */
  readonly publicUrl?: string | null | undefined;
}

export type WeCom = ReturnType<typeof createWeCom>;

/**
 * The WeCom module: the tenant's connection, the callback receiver and inbox (processing
 * events into customers, relationships, groups and loss alerts), and the reads the console
 * shows.
 */
export function createWeCom(p: Platform, audit: AuditLog, customers: Customers, deps: WeComDeps) {
  const box = createSecretBox(deps.secretKey ?? randomBytes(32));
  /** The REST client for a tenant's stored connection; null without a usable app secret. */
  async function gatewayOf(tenantId: string) {
    const row = await configRow(p.db, tenantId);
    const connection = row ? openConfig(row, box).connection : null;
    return connection ? deps.gateway(connection) : null;
  }
  return {
    config: createWeComConfig(p, audit, { box, gateway: deps.gateway, publicUrl: deps.publicUrl ?? null }),
    receiver: createReceiver(p, box),
    inbox: createInbox(p, audit, { box, gateway: deps.gateway }),
    lossAlerts: createLossAlerts(p, audit),
    views: createWeComViews(p, customers),
    fullSync: createFullSync(p, audit, gatewayOf),
    gatewayOf,
  };
}
