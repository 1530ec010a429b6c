export * from './access.ts';
export * from './api.ts';
export * from './audit.ts';
export * from './common.ts';
export * from './endpoint.ts';
export * from './errors.ts';
export * from './org.ts';
export * from './setup.ts';
