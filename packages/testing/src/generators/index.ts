export * from './chinese.ts';
export * from './demo-brand.ts';
export * from './random.ts';
