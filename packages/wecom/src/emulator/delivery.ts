import { sealCallback, sealEcho } from '../callback.ts';
import type { CallbackKeys } from '../crypto.ts';
import { toXml, type XmlValue } from '../xml.ts';

/**
 * Pushing callbacks as WeCom does (SPEC §1.3): encrypted envelope by POST with
 * msg_signature/timestamp/nonce in the query; the receiver has 5 s; a timeout or any
 * non-200 answer is a failure, and WeCom tries 3 times in total.
 */

export interface CallbackTarget {
  url: string;
  token: string;
  encodingAesKey: string;
}

export interface DeliveryOptions {
  /** Default 5000 ms. */
  timeoutMs: number;
  /** Attempts in total. Default 3. */
  attempts: number;
  /** Pause between attempts. Default 1000 ms. */
  retryDelayMs: number;
  agentId: number;
}

/** What happened to one pushed event. */
export interface Delivery {
  /** The decrypted event XML that was pushed. */
  plainXml: string;
  fields: Record<string, XmlValue>;
  delivered: boolean;
  /** One entry per attempt: the HTTP status, or "timeout" / "error: …". */
  attempts: (number | string)[];
  /** True when no callback URL is configured; nothing was sent. */
  skipped: boolean;
}

export async function deliver(
  target: CallbackTarget | null,
  corpId: string,
  fields: Record<string, XmlValue>,
  options: DeliveryOptions,
  nowMs: number,
): Promise<Delivery> {
  const plainXml = toXml('xml', fields);
  const result: Delivery = { plainXml, fields, delivered: false, attempts: [], skipped: target === null };
  if (!target) return result;
  const keys: CallbackKeys = {
    token: target.token,
    encodingAesKey: target.encodingAesKey,
    receiveId: corpId,
  };
  // Retries reuse the original parameters, as WeCom's do.
  const sealed = sealCallback(keys, plainXml, { agentId: options.agentId, now: () => nowMs });
  const url = withQuery(target.url, {
    msg_signature: sealed.msgSignature,
    timestamp: sealed.timestamp,
    nonce: sealed.nonce,
  });
  for (let attempt = 0; attempt < options.attempts; attempt += 1) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs));
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        body: sealed.xml,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      result.attempts.push(response.status);
      if (response.status === 200) {
        result.delivered = true;
        break;
      }
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      result.attempts.push(
        timedOut ? 'timeout' : `error: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return result;
}

export interface UrlVerification {
  ok: boolean;
  status?: number;
  /** What the receiver answered, and what it should have. */
  body?: string;
  expected: string;
  error?: string;
}

/**
 * The GET verification WeCom performs when an administrator saves the callback URL
 * (SPEC §1.2): the receiver must answer within 1 s with the decrypted echo.
 */
export async function checkReceiverUrl(
  target: CallbackTarget,
  corpId: string,
  echo: string,
  nowMs: number,
  timeoutMs = 1000,
): Promise<UrlVerification> {
  const sealed = sealEcho(
    { token: target.token, encodingAesKey: target.encodingAesKey, receiveId: corpId },
    echo,
    {
      now: () => nowMs,
    },
  );
  const url = withQuery(target.url, {
    msg_signature: sealed.msgSignature,
    timestamp: sealed.timestamp,
    nonce: sealed.nonce,
    echostr: sealed.echostr,
  });
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    return { ok: response.status === 200 && body === echo, status: response.status, body, expected: echo };
  } catch (error) {
    return {
      ok: false,
      expected: echo,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  }
}

function withQuery(base: string, params: Record<string, string>): string {
  const url = new URL(base);
  // encodeURIComponent turns "+" into %2B, "/" into %2F and "=" into %3D, as WeCom does.
  const extra = Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  url.search = url.search ? `${url.search}&${extra}` : `?${extra}`;
  return url.toString();
}
