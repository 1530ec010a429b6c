export * from './callback.ts';
export * from './crypto.ts';
export * from './events.ts';
export * from './xml.ts';
