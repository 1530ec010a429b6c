import { z } from 'zod';
import { NewPassword } from './access.ts';
import { Email, Locale } from './common.ts';

export const SetupStatus = z.object({
  /** True while no brand exists: the console shows the onboarding page. */
  needed: z.boolean(),
});
export type SetupStatus = z.infer<typeof SetupStatus>;

export const CompleteSetup = z.strictObject({
  /** The one-time token printed by `npm start`. */
  token: z.string().min(1).max(200),
  brandName: z.string().trim().min(1, 'must not be empty').max(100),
  ownerName: z.string().trim().min(1, 'must not be empty').max(100),
  email: Email,
  password: NewPassword,
  locale: Locale.default('zh-CN'),
});
export type CompleteSetup = z.infer<typeof CompleteSetup>;
