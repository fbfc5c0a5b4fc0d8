import { describe, expect, it } from "vitest";
import { canonicalRequest, hmacSha256Hex } from "../../src/crypto/request-signature";
import { utf8 } from "../../src/crypto/encoding";

// The worked example of docs/reference/authentication.md, computed independently with `openssl dgst`
// (the commands are there). If the server's canonical string or HMAC ever drifts from the documented recipe, this fails.
const EXAMPLE = {
  secret: "mks_example0123456789",
  timestamp: "1767225600",
  method: "POST",
  path: "/api/v1/embedded/users/sync",
  body: '{"external_id":"usr_12345","full_name":"Ahmed Al-Rashid"}',
  body_sha256: "bfffe530044f3b79c8d45be6421711ac2d181526cf8c89e2b5511d2a02e7064b",
  signature: "46a5bfb79a24516a549b0b8132bfbc1016885d3a3155e6d9b6395fe5364d2321",
};

describe("HMAC request signing recipe", () => {
  it("matches the documented worked example", async () => {
    const canonical = await canonicalRequest(EXAMPLE.timestamp, EXAMPLE.method, EXAMPLE.path, utf8(EXAMPLE.body));
    expect(canonical).toBe(`${EXAMPLE.timestamp}\nPOST\n${EXAMPLE.path}\n${EXAMPLE.body_sha256}`);
    expect(await hmacSha256Hex(EXAMPLE.secret, canonical)).toBe(EXAMPLE.signature);
  });

  it("hashes an empty body as the SHA-256 of the empty string", async () => {
    const canonical = await canonicalRequest("1", "get", "/x?y=1", new Uint8Array());
    expect(canonical).toBe("1\nGET\n/x?y=1\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });
});
