export { type SimulatedClock, simulatedClock } from './clock.ts';
export { type DialectName, openTestStorage, TEST_DATABASE_URL, testDialects } from './dialects.ts';
export * from './generators/index.ts';
export { must, openTestServices, settle } from './services.ts';
export { addUser, makeTenant, TEST_PASSWORD, type TestTenant } from './tenants.ts';
