import { Hono } from "hono";
import { describe, expect, it, vi } from "vitest";
import { ERROR_DOCS } from "../../src/domain/error-docs";
import { ApiError, ERROR_CODES } from "../../src/domain/errors";
import type { AppEnv } from "../../src/http/context";
import { handleError } from "../../src/http/error-handler";
import { call } from "./helpers";

// Every error body points at its code's anchor in the errors reference, which the worker serves
// itself; docs/reference/errors.md is checked against the same catalogue by test/docs/.
describe("doc_url and /docs/errors", () => {
  it("every error body carries doc_url: this server's /docs/errors#<code>", async () => {
    const unauthenticated = await call("GET", "/api/v1/balance");
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.body.error.doc_url).toBe("http://localhost/docs/errors#authentication_required");

    const unknown = await call("GET", "/api/v1/no-such-route");
    expect(unknown.body.error.doc_url).toBe("http://localhost/docs/errors#route_not_found");
  });

  it("a 5xx too; an operator's ERROR_DOCS_URL replaces the page, and a value that is no http(s) URL is ignored", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {}); // the 5xx's log line, expected here
    const app = new Hono<AppEnv>();
    app.onError(handleError);
    app.get("/boom", () => {
      throw new Error("a bug");
    });
    app.get("/refused", () => {
      throw new ApiError("insufficient_funds", "Not enough.", "amount");
    });
    const body = async (path: string, env: object) => (await (await app.request(`https://pay.example.com${path}`, {}, env)).json()) as any;

    expect((await body("/boom", {})).error).toMatchObject({
      code: "internal_error",
      doc_url: "https://pay.example.com/docs/errors#internal_error",
    });
    const docs = "https://git.example.com/shop/mazad-wallet/src/branch/main/docs/reference/errors.md";
    expect((await body("/refused", { ERROR_DOCS_URL: docs })).error).toEqual({
      type: "invalid_request_error",
      code: "insufficient_funds",
      message: "Not enough.",
      param: "amount",
      request_id: "req_unknown",
      doc_url: `${docs}#insufficient_funds`,
    });
    expect((await body("/refused", { ERROR_DOCS_URL: "javascript:alert(1)" })).error.doc_url).toBe(
      "https://pay.example.com/docs/errors#insufficient_funds",
    );
    log.mockRestore();
  });

  it("/docs/errors has one anchor per code of the catalogue, with its status and words", async () => {
    const page = await call("GET", "/docs/errors");
    expect(page.status).toBe(200);
    expect(page.headers.get("Content-Type")).toContain("text/html");
    const html: string = page.body;
    for (const code of ERROR_CODES) {
      const section = html.match(new RegExp(`<section id="${code}">([\\s\\S]*?)</section>`))?.[1];
      expect(section, code).toBeDefined();
      const status = new ApiError(code, "").status;
      expect(section, code).toContain(`${status} · `);
      const text = section!.replace(/<[^>]+>/g, "").replace(/\s+/g, " ");
      for (const words of [ERROR_DOCS[code].summary, ERROR_DOCS[code].action]) {
        expect(text, code).toContain(words.replaceAll("`", "").replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("'", "&#39;"));
      }
    }
    expect(html.match(/<section id="/g)).toHaveLength(ERROR_CODES.length);
  });

  it("/openapi.json declares doc_url on the error envelope", async () => {
    const doc = await call("GET", "/openapi.json");
    const error = doc.body.components.schemas.Error.properties.error;
    expect(error.properties.doc_url.type).toBe("string");
    expect(error.required).toContain("doc_url");
  });
});
