import type { Services } from '@pond/core';
import { createApp, testConfig } from '@pond/server';
import { TEST_PASSWORD } from '@pond/testing';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './browser.ts';
import { ensureConsoleBuilt } from './ensure-built.ts';

/** The built console served by a listening Pond over `services`, and a Chromium page on it. */
export interface ConsoleSession {
  readonly url: string;
  readonly page: Page;
  /** Opens `path`, signs in as `email` on the way and lands on the customer list. */
  signIn(email: string, path?: string): Promise<void>;
  /** Keeps a screenshot of a failed test in /tmp, named after it. */
  screenshotFailure(task: { name: string; result?: { state?: string } }): Promise<void>;
  close(): Promise<void>;
}

export async function openConsole(services: Services): Promise<ConsoleSession> {
  const consoleDist = ensureConsoleBuilt();
  const app: FastifyInstance = await createApp({ config: testConfig(), services, consoleDist });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser: Browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, reducedMotion: 'reduce' });
  // Shorter than the test timeout, so a stuck step names its locator.
  page.setDefaultTimeout(10_000);
  return {
    url,
    page,
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
