import type { WeComGatewayFactory } from './gateway.ts';

/** The default gateway: WeCom's REST API through `@pond/wecom`'s client. */
export const defaultWeComGateway: WeComGatewayFactory = () => {
  throw new Error('the WeCom REST client is not available');
};
