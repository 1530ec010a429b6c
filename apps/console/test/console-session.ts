import { createServices, type ServiceDeps, type Services } from '@pond/core';
import { createApp, testConfig } from '@pond/server';
import { makeTenant, openTestStorage, TEST_PASSWORD, type TestTenant } from '@pond/testing';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './browser.ts';
import { ensureConsoleBuilt } from './ensure-built.ts';

/** The built console served by a listening Pond over `services`, and a Chromium page on it. */
export interface ConsoleSession {
  readonly url: string;
  readonly page: Page;
  /** The listening app, for requests a test makes outside the browser (`app.inject`). */
  readonly app: FastifyInstance;
  /** Opens `path`, signs in as `email` on the way and lands on the customer list. */
  signIn(email: string, path?: string): Promise<void>;
  /** Keeps a screenshot of a failed test in /tmp, named after it. */
  screenshotFailure(task: { name: string; result?: { state?: string } }): Promise<void>;
  close(): Promise<void>;
}

export interface ConsoleOptions {
  /** The page's size; 1400 × 1000 unless a screen needs more room. */
  readonly viewport?: { readonly width: number; readonly height: number };
}

export async function openConsole(services: Services, options: ConsoleOptions = {}): Promise<ConsoleSession> {
  const consoleDist = ensureConsoleBuilt();
  const app: FastifyInstance = await createApp({ config: testConfig(), services, consoleDist });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser: Browser = await launchChromium();
  const page = await browser.newPage({
    viewport: options.viewport ?? { width: 1400, height: 1000 },
    reducedMotion: 'reduce',
  });
  // Shorter than the test timeout, so a stuck step names its locator.
  page.setDefaultTimeout(10_000);
  return {
    url,
    page,
    app,
    async signIn(email, path = '/customers') {
      await page.goto(`${url}${path}`);
      await page.waitForURL('**/sign-in');
      await page.getByLabel('邮箱或手机号').fill(email);
      await page.getByLabel('密码').fill(TEST_PASSWORD);
      await page
        .getByRole('button', { name: '登 录' })
        .or(page.getByRole('button', { name: '登录' }))
        .click();
      await page.waitForURL('**/customers');
    },
    async screenshotFailure(task) {
      if (task.result?.state !== 'fail') return;
      await page.screenshot({ path: `/tmp/pond-e2e-failure-${task.name.replace(/\W+/g, '-')}.png` });
    },
    async close() {
      await browser.close();
      await app.close();
    },
  };
}

/** A console over its own SQLite storage with one tenant in it; `close` closes the storage too. */
export interface TenantConsole extends ConsoleSession {
  readonly services: Services;
  readonly tenant: TestTenant;
}

export interface TenantConsoleOptions extends ConsoleOptions {
  /** Passed on to `createServices`, e.g. a WeCom gateway pointed at the emulator. */
  readonly services?: Omit<ServiceDeps, 'storage' | 'clock'>;
}

/**
 * Fresh in-memory SQLite storage, services over it on the wall clock, the tenant 湖畔咖啡 and
 * the console open on it: what a suite needs before its own data.
 */
export async function openTenantConsole(options: TenantConsoleOptions = {}): Promise<TenantConsole> {
  const storage = await openTestStorage('sqlite');
  try {
    const services = createServices({
      ...options.services,
      storage: storage.storage,
      clock: { now: () => Date.now() },
    });
    const tenant = await makeTenant(services, '湖畔咖啡');
    const session = await openConsole(services, options);
    return {
      ...session,
      services,
      tenant,
      async close() {
        await session.close();
        await storage.close();
      },
    };
  } catch (error) {
    await storage.close();
    throw error;
  }
}
