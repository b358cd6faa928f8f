import { z } from "zod/v3";

/**
 * Strings must not contain NUL characters. PostgreSQL cannot store U+0000 in text, and bcrypt stops reading at it,
 * so such input is refused up front (422) instead of failing in the database or weakening a password.
 */
export const hasNoNul = (s: string): boolean => !s.includes("\u0000");
export const NO_NUL_MESSAGE = { message: "Must not contain NUL characters" } as const;

/** ISO 8601 timestamp with offset, as every timestamp in a response is serialised. */
export const TimestampSchema = z.string().datetime({ offset: true });

/**
 * Owner id in task paths. The API's own ids are UUIDs, but ids minted by another issuer of the shared
 * secret (e.g. Better Auth) are not, so any string is accepted here; one that is not the caller's is 403.
 */
export const UserIdParamSchema = z.string();

/**
 * Text people read on someone's screen (task titles and descriptions, list names): rules against text that
 * hides or disguises itself. Apply with `.superRefine(displayTextRules({ ... }))` after any `.trim()`.
 *
 * - Bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069) reorder what follows
 *   them on screen ("Trojan Source"): a title can then display as something else than it says. Refused. The
 *   invisible direction marks (U+200E, U+200F, U+061C) cannot reorder text and stay allowed.
 * - Lone surrogates (invalid UTF-16, e.g. a JSON `"\ud800"`) cannot be stored as UTF-8: the database would
 *   silently replace them with U+FFFD. Refused.
 * - A title made only of invisible characters (U+200B zero-width space, U+2060 word joiner, U+3164 Hangul
 *   filler, U+2800 braille blank, combining marks on nothing…) looks empty in every list. With
 *   `requireVisible`, at least one visible character is required (for optional text: when it is not empty).
 */
export const BIDI_CONTROL_PATTERN = /[\u202A-\u202E\u2066-\u2069]/u;
const LONE_SURROGATE_PATTERN = /\p{Surrogate}/u;
const VISIBLE_CHARACTER_PATTERN =
  /[^\p{White_Space}\p{Cc}\p{Cf}\p{Z}\p{M}\p{Default_Ignorable_Code_Point}\p{Surrogate}\u2800]/u;

export const hasVisibleCharacter = (s: string): boolean => VISIBLE_CHARACTER_PATTERN.test(s);
export const hasBidiControl = (s: string): boolean => BIDI_CONTROL_PATTERN.test(s);
export const isWellFormedUtf16 = (s: string): boolean => !LONE_SURROGATE_PATTERN.test(s);

export interface DisplayTextOptions {
  /** At least one visible character (an empty string is left to `.min()` to judge). */
  requireVisible: boolean;
}

/** The display-text rules as a zod refinement: one 422 detail per broken rule. */
export const displayTextRules =
  ({ requireVisible }: DisplayTextOptions) =>
  (s: string, ctx: z.RefinementCtx): void => {
    if (!isWellFormedUtf16(s)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: "Must be valid Unicode (no lone surrogates)" });
    }
    if (hasBidiControl(s)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: "Must not contain bidirectional control characters (U+202A–U+202E, U+2066–U+2069)",
      });
    }
    if (requireVisible && s.length > 0 && !hasVisibleCharacter(s)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: "Must contain at least one visible character" });
    }
  };
