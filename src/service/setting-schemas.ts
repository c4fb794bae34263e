import { z } from 'zod';

// How the text of a setting (an environment variable or a flag) is parsed. Ranges of monitor settings
// are checked by the monitor itself (one source of truth), so these only check the form.

/** Any integer; the monitor checks the range. */
export const anyInteger = z
  .string()
  .trim()
  .regex(/^-?\d+$/, 'must be an integer')
  .transform(Number);

/** `true` or `false` (any case). */
export const bool = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false'], { message: 'must be true or false' }))
  .transform((text) => text === 'true');

/** A non-negative decimal number such as `3` or `2.5`; the monitor checks the range. */
export const decimal = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?$/, 'must be a number such as 3 or 2.5')
  .transform(Number);

/** A whole number from `min` to `max`, such as a port or a size the service itself checks. */
export const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be an integer from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be an integer from ${min} to ${max}`);
