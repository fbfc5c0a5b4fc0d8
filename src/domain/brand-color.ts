/**
 * A merchant's brand colour on the hosted page: validated as `#RRGGBB`, and paired with whichever
 * text colour (white or the page's ink) reads better on it — on the colour and on its hover shade
 * both — so a merchant's pale yellow or dark navy never makes the pay button unreadable. WCAG 2
 * relative luminance and contrast ratio, at least 4.5:1.
 */

export const BRAND_COLOR_PATTERN = /^#[0-9a-fA-F]{6}$/;
export const WHITE = "#ffffff";
export const INK = "#1d2330";
/** WCAG 2 AA for body text. */
export const MIN_CONTRAST = 4.5;

export function isBrandColor(value: string): boolean {
  return BRAND_COLOR_PATTERN.test(value);
}

function channels(hex: string): [number, number, number] {
  if (!isBrandColor(hex)) throw new Error(`not a #RRGGBB colour: ${hex}`);
  return [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

export function relativeLuminance(hex: string): number {
  const [r, g, b] = channels(hex).map((value) => {
    const c = value / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** The colour mixed toward black by `amount` (0..1): the button's hover shade. */
export function darken(hex: string, amount: number): string {
  return `#${channels(hex)
    .map((c) =>
      Math.round(c * (1 - amount))
        .toString(16)
        .padStart(2, "0"),
    )
    .join("")}`;
}

export interface BrandTheme {
  brand: string;
  brand_dark: string;
  on_brand: string;
}

/**
 * The colours the page's theme uses: the brand, its hover shade and the text that reads best on
 * both. A mid-tone on which neither white nor ink reaches 4.5:1 (#777777) is darkened a step at a
 * time until white does: the merchant's hue, readable.
 */
export function brandTheme(hex: string): BrandTheme {
  let brand = hex.toLowerCase();
  for (;;) {
    const brand_dark = darken(brand, 0.15);
    const worst = (text: string) => Math.min(contrastRatio(text, brand), contrastRatio(text, brand_dark));
    const on_brand = worst(WHITE) >= worst(INK) ? WHITE : INK;
    // Darkening converges on black, on which white reads at 21:1: the loop ends.
    if (worst(on_brand) >= MIN_CONTRAST) return { brand, brand_dark, on_brand };
    brand = darken(brand, 0.1);
  }
}
