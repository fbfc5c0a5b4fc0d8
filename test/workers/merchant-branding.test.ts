import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { brandTheme, contrastRatio } from "../../src/domain/brand-color";
import { checkLogo } from "../../src/domain/images";
import { call, newIntent, newMerchant, registerAndLogin, type TestMerchant } from "./helpers";

/**
 * A merchant's branding on the hosted checkout: set through PATCH /merchants/{id} by its owner or
 * admin, checked (a #rrggbb colour, a PNG or JPEG of at most 100 KB by its bytes), and shown on the
 * page with the merchant's domain; the logo served from our origin under a URL that names nothing else.
 */

const be32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** A PNG's structure (signature, IHDR, IDAT of `padding` bytes, IEND); the checks read its header, not its CRCs. */
function png(width: number, height: number, padding = 16): Uint8Array {
  return new Uint8Array([
    ...[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    ...be32(13),
    ...ascii("IHDR"),
    ...be32(width),
    ...be32(height),
    ...[8, 6, 0, 0, 0],
    ...be32(0),
    ...be32(padding),
    ...ascii("IDAT"),
    ...new Array(padding).fill(0),
    ...be32(0),
    ...be32(0),
    ...ascii("IEND"),
    ...[0xae, 0x42, 0x60, 0x82],
  ]);
}

/** A JPEG's markers up to its frame header: SOI, APP0 (JFIF), SOF0 with the size, then EOI. */
function jpeg(width: number, height: number): Uint8Array {
  return new Uint8Array([
    ...[0xff, 0xd8],
    ...[0xff, 0xe0, 0x00, 0x10, ...ascii("JFIF"), 0, 1, 1, 0, 0, 1, 0, 1, 0, 0],
    ...[0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 255, width >> 8, width & 255, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1],
    ...[0xff, 0xd9],
  ]);
}

const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const base64Large = (bytes: Uint8Array) => {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 4096) binary += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return btoa(binary);
};

function patch(merchant: { merchant_id: string; token: string }, body: Record<string, unknown>) {
  return call("PATCH", `/api/v1/merchants/${merchant.merchant_id}`, { token: merchant.token, body });
}

async function pageOf(merchant: TestMerchant) {
  const intent = await newIntent(merchant.secret_key, 9999, "USD");
  const res = await exports.default.fetch(
    new Request(`http://localhost/checkout/${intent.id}?client_secret=${encodeURIComponent(intent.client_secret)}`),
  );
  return res.text();
}

describe("checking branding values", () => {
  it("reads a logo's kind and size from its bytes, whatever it claims", () => {
    expect(checkLogo(png(120, 40))).toEqual({ ok: true, image: { content_type: "image/png", width: 120, height: 40 } });
    expect(checkLogo(jpeg(300, 100))).toEqual({ ok: true, image: { content_type: "image/jpeg", width: 300, height: 100 } });
    for (const bad of [
      new TextEncoder().encode("<svg xmlns='http://www.w3.org/2000/svg'/>"),
      new TextEncoder().encode("GIF89a......"),
      png(0, 10),
      png(5000, 10),
      png(10, 10).subarray(0, 30),
      jpeg(0, 0),
      new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0, 2, 0xff, 0xd9]),
    ])
      expect(checkLogo(bad).ok).toBe(false);
    expect(checkLogo(png(10, 10, 100 * 1024))).toMatchObject({ ok: false, message: expect.stringContaining("102400 bytes") });
  });

  it("picks the text colour that reads on the brand colour, at 4.5:1 or better", () => {
    expect(brandTheme("#FFD700").on_brand).toBe("#1d2330");
    expect(brandTheme("#0b1f4a").on_brand).toBe("#ffffff");
    // A mid-grey reads with neither: it is darkened until white does.
    expect(brandTheme("#777777")).toEqual({ brand: "#6b6b6b", brand_dark: "#5b5b5b", on_brand: "#ffffff" });
    for (const color of ["#ffd700", "#777777", "#00ff00", "#ff0000", "#0b5cad", "#ffffff", "#000000", "#8a8a8a"]) {
      const theme = brandTheme(color);
      expect(contrastRatio(theme.on_brand, theme.brand), color).toBeGreaterThanOrEqual(4.5);
      expect(contrastRatio(theme.on_brand, theme.brand_dark), color).toBeGreaterThanOrEqual(4.5);
    }
  });
});

describe("PATCH /api/v1/merchants/{id} with branding", () => {
  it("sets a display name, a colour, a website and a logo, and the hosted page shows them", async () => {
    const merchant = await newMerchant("Antique House LLC");
    const logo = png(120, 40);
    const res = await patch(merchant, {
      display_name: "Antique House",
      brand_color: "#FFD700",
      website: "https://antiques.example/shop",
      logo: `data:image/png;base64,${base64(logo)}`,
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ name: "Antique House LLC", display_name: "Antique House", brand_color: "#ffd700" });
    const logo_url: string = res.body.data.logo_url;
    // The URL is ours and random: it names neither the merchant nor anything else.
    expect(logo_url).toMatch(/^http:\/\/localhost\/checkout\/logos\/logo_[A-Za-z0-9]{24}\.png$/);
    expect(logo_url).not.toContain(merchant.merchant_id);
    expect((await call("GET", `/api/v1/merchants/${merchant.merchant_id}`, { token: merchant.token })).body.data.logo_url).toBe(logo_url);

    const served = await exports.default.fetch(new Request(logo_url));
    expect(served.status).toBe(200);
    expect(served.headers.get("Content-Type")).toBe("image/png");
    expect(served.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
    expect(served.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(logo);

    const html = await pageOf(merchant);
    expect(html).toContain(`<img class="logo" src="${new URL(logo_url).pathname}" alt="Antique House logo" id="merchant-logo"/>`);
    expect(html).toContain('<p class="merchant" id="summary-heading">Antique House</p>');
    expect(html).not.toContain("Antique House LLC");
    expect(html).toContain('<bdi dir="ltr">antiques.example</bdi>');
    const theme = /<link rel="stylesheet" href="(\/checkout\/assets\/theme\.ffd700\.css)"\/>/.exec(html);
    expect(theme).not.toBeNull();
    const css = await exports.default.fetch(new Request(`http://localhost${theme![1]}`));
    expect(css.headers.get("Content-Type")).toMatch(/^text\/css/);
    // Gold: dark text reads on it, white would not.
    expect(await css.text()).toContain("--brand: #ffd700; --brand-dark: #d9b700; --on-brand: #1d2330;");
  });

  it("without a website shows the domain of the checkout's success_url; clearing the branding goes back to the defaults", async () => {
    const merchant = await newMerchant("Plain Shop");
    expect(await pageOf(merchant)).toContain('<bdi dir="ltr">shop.example</bdi>');
    const first = await patch(merchant, { brand_color: "#0b1f4a", logo: base64(jpeg(64, 64)) });
    expect(first.body.data.logo_url).toMatch(/\.jpg$/);
    const second = await patch(merchant, { logo: base64(png(32, 32)) });
    // A new upload is a new URL; the old one is gone.
    expect(second.body.data.logo_url).not.toBe(first.body.data.logo_url);
    expect((await exports.default.fetch(new Request(first.body.data.logo_url))).status).toBe(404);
    expect((await exports.default.fetch(new Request(second.body.data.logo_url))).status).toBe(200);

    const cleared = await patch(merchant, { logo: null, brand_color: null, display_name: null });
    expect(cleared.body.data).toMatchObject({ logo_url: null, brand_color: null, display_name: null, name: "Plain Shop" });
    expect((await exports.default.fetch(new Request(second.body.data.logo_url))).status).toBe(404);
    const html = await pageOf(merchant);
    expect(html).not.toContain("<img");
    expect(html).not.toContain("/checkout/assets/theme.");
    expect(html).toContain("Plain Shop");
  });

  it("refuses a bad colour, an oversized logo and a non-image claiming to be a PNG, naming the field", async () => {
    const merchant = await newMerchant();
    for (const brand_color of ["red", "#12345", "#GGGGGG", "0b5cad", "#0b5cad80"]) {
      const res = await patch(merchant, { brand_color });
      expect(res.status, brand_color).toBe(422);
      expect(res.body.error).toMatchObject({ code: "parameter_invalid", param: "brand_color" });
    }
    const oversized = await patch(merchant, { logo: base64Large(png(100, 100, 100 * 1024)) });
    expect(oversized.status).toBe(422);
    expect(oversized.body.error).toMatchObject({ code: "parameter_invalid", param: "logo" });
    expect(oversized.body.error.message).toMatch(/100 KB/);

    const html = `data:image/png;base64,${btoa("<html><script>alert(1)</script></html>")}`;
    const fake = await patch(merchant, { logo: html });
    expect(fake.status).toBe(422);
    expect(fake.body.error).toMatchObject({ code: "parameter_invalid", param: "logo" });
    expect(fake.body.error.message).toContain("PNG or JPEG");

    const broken = await patch(merchant, { logo: base64(png(10, 10).subarray(0, 30)) });
    expect(broken.body.error).toMatchObject({ code: "parameter_invalid", param: "logo" });
    const notBase64 = await patch(merchant, { logo: "%%%not base64%%%" });
    expect(notBase64.body.error).toMatchObject({ code: "parameter_invalid", param: "logo" });
    const blank = await patch(merchant, { display_name: "   " });
    expect(blank.body.error).toMatchObject({ code: "parameter_invalid", param: "display_name" });

    // Nothing was stored by the refusals.
    const read = await call("GET", `/api/v1/merchants/${merchant.merchant_id}`, { token: merchant.token });
    expect(read.body.data).toMatchObject({ brand_color: null, logo_url: null, display_name: null });
  });

  it("refuses names with bidi overrides or control characters, through the API and the service alike", async () => {
    const merchant = await newMerchant();
    for (const display_name of ["Safe\u202eelif.exe", "Shop\u2066x\u2069", "Tab\tName"]) {
      const refused = await patch(merchant, { display_name });
      expect(refused.status).toBe(422);
      expect(refused.body.error).toMatchObject({ code: "parameter_invalid", param: "display_name" });
    }
    const named = await patch(merchant, { name: "Evil\u202eName" });
    expect(named.status).toBe(422);
    expect(named.body.error.param).toBe("name");
    const owner = await registerAndLogin();
    const created = await call("POST", "/api/v1/merchants", { token: owner.token, body: { name: "Shop\u202e" } });
    expect(created.status).toBe(422);
    // An Arabic or mixed name with no control characters is fine.
    expect((await patch(merchant, { display_name: "مزاد للتحف — Mazad Antiques" })).status).toBe(200);
  });

  it("is the merchant's own: another account gets 404, a developer 403, and nothing changes", async () => {
    const merchant = await newMerchant("Owned Shop");
    const stranger = await registerAndLogin();
    const foreign = await call("PATCH", `/api/v1/merchants/${merchant.merchant_id}`, {
      token: stranger.token,
      body: { brand_color: "#ff0000", logo: base64(png(8, 8)) },
    });
    expect(foreign.status).toBe(404);

    const developer = await registerAndLogin();
    const added = await call("POST", `/api/v1/merchants/${merchant.merchant_id}/members`, {
      token: merchant.token,
      body: { email: developer.email, role: "developer" },
    });
    expect(added.status).toBe(201);
    const denied = await call("PATCH", `/api/v1/merchants/${merchant.merchant_id}`, {
      token: developer.token,
      body: { display_name: "Hijacked" },
    });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe("insufficient_role");

    const html = await pageOf(merchant);
    expect(html).toContain("Owned Shop");
    expect(html).not.toContain("Hijacked");
    expect(html).not.toContain("theme.ff0000");
  });
});
