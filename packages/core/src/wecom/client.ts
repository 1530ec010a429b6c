import { WeComClient } from '@pond/wecom';
import type { WeComConnection, WeComGatewayFactory } from './gateway.ts';

/**
 * WeCom's REST API through `@pond/wecom`'s client. Clients are kept per connection, so each
 * tenant's access token is cached and refreshed once for all callers (SPEC §3.1); a changed
 * secret or address makes a new one.
 */
export function weComGateways(options: { fetch?: typeof fetch } = {}): WeComGatewayFactory {
  const clients = new Map<string, WeComClient>();
  return (c: WeComConnection) => {
    const key = `${c.apiBaseUrl}\u0000${c.corpId}\u0000${c.secret}`;
    let client = clients.get(key);
    if (!client) {
      client = new WeComClient({
        baseUrl: c.apiBaseUrl,
        corpId: c.corpId,
        secret: c.secret,
        ...(options.fetch && { fetch: options.fetch }),
      });
      if (clients.size > 1000) clients.clear();
      clients.set(key, client);
    }
    return client;
  };
}

export const defaultWeComGateway: WeComGatewayFactory = weComGateways();
