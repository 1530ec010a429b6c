export { createApp, VERSION } from './app.ts';
export { type Config, loadConfig, testConfig } from './config.ts';
export { startPond } from './start.ts';
