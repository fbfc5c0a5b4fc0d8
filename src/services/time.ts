/** A client-given instant, kept to the second the API shows. */
export function instantToSecondMs(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000) * 1000;
}
