import { z } from "@hono/zod-openapi";
import { ERROR_CODES } from "../domain/errors";

/** `{success: true, data}`: every successful JSON response. */
export const ok = <T>(data: T) => ({ success: true as const, data });

export function envelopeSchema<T extends z.ZodType>(data: T) {
  return z.object({ success: z.literal(true), data });
}

export const ErrorEnvelope = z
  .object({
    success: z.literal(false),
    error: z.object({
      type: z.string().openapi({ example: "invalid_request_error" }),
      code: z.enum(ERROR_CODES).openapi({ example: "parameter_missing" }),
      message: z.string(),
      param: z.string().optional().openapi({ example: "amount" }),
      request_id: z.string().openapi({ example: "req_3f9a8b7c6d5e4f3a" }),
      doc_url: z.string().openapi({
        description: "What the code means and what to do: its anchor in the errors reference (this server's /docs/errors by default)",
        example: "https://wallet.example.com/docs/errors#parameter_missing",
      }),
    }),
  })
  .openapi("Error");
