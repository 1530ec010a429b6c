import { z } from 'zod';

export const DemoStatus = z.object({
  /** `available`: the brand has no customers yet and the demo can be loaded. */
  state: z.enum(['available', 'loading', 'loaded', 'failed', 'unavailable']),
  customers: z.number().int(),
  events: z.number().int(),
  target: z.object({ customers: z.number().int(), events: z.number().int() }),
  error: z.string().nullable(),
});
export type DemoStatus = z.infer<typeof DemoStatus>;
