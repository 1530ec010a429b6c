export { type SimulatedClock, simulatedClock } from './clock.ts';
export {
  type DialectName,
  type IngestVariant,
  ingestVariants,
  openTestStorage,
  TEST_DATABASE_URL,
  testDialects,
} from './dialects.ts';
export * from './generators/index.ts';
export { must, openTestServices, settle } from './services.ts';
export { addUser, makeSource, makeTenant, TEST_PASSWORD, type TestTenant } from './tenants.ts';
