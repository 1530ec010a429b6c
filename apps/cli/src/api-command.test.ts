import { createServices } from '@pond/core';
import { createApp, testConfig } from '@pond/server';
import { makeTenant, openTestStorage } from '@pond/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCommand } from './api-command.ts';

describe('pond api', () => {
  let app: FastifyInstance;
  let close: () => Promise<void>;
  let env: NodeJS.ProcessEnv;
  let rootUnitId: string;

  beforeAll(async () => {
    const opened = await openTestStorage('sqlite');
    close = opened.close;
    const services = createServices({ storage: opened.storage, clock: { now: () => Date.now() } });
    const t = await makeTenant(services, 'CLI Brand');
    rootUnitId = t.rootUnitId;
    const key = await services.apiKeys.create(t.owner, {
      name: 'cli',
      scopes: ['org.read', 'staff.read', 'staff.write'],
    });
    if (!key.ok) throw new Error(key.error.message);
    app = await createApp({ config: testConfig(), services });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    env = { POND_URL: url, POND_API_KEY: key.value.secret };
  });
  afterAll(async () => {
    await app.close();
    await close();
  });

  function capture() {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { env, out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
  }

  it('creates and lists staff through the SDK against a running server', async () => {
    const created = capture();
    const body = JSON.stringify({ name: '王芳', orgUnitId: rootUnitId });
    expect(await apiCommand('staff.create', { body }, created.io)).toBe(0);
    const staff = JSON.parse(created.out.join('')) as { id: string; name: string };
    expect(staff.name).toBe('王芳');

    const listed = capture();
    expect(await apiCommand('staff.list', { query: '{"limit":5}' }, listed.io)).toBe(0);
    const page = JSON.parse(listed.out.join('')) as { data: { id: string }[] };
    expect(page.data.map((s) => s.id)).toContain(staff.id);
  });

  it('reports API errors with their code and field, and usage errors with exit code 2', async () => {
    const bad = capture();
    expect(await apiCommand('staff.create', { body: '{"name":""}' }, bad.io)).toBe(1);
    expect(bad.err.join('')).toMatch(/^400 invalid_request \(body\.name\)/);

    const forbidden = capture();
    expect(await apiCommand('auditLog.list', {}, forbidden.io)).toBe(2);
    const denied = capture();
    expect(await apiCommand('audit.list', {}, denied.io)).toBe(1);
    expect(denied.err.join('')).toContain('403 forbidden');

    const json = capture();
    expect(await apiCommand('staff.list', { query: '{oops' }, json.io)).toBe(2);
  });
});
