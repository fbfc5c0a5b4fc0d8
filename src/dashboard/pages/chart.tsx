import type { FC } from "hono/jsx";
import type { Currency } from "../../domain/currencies";
import { formatDay, formatMoney, type Lang, type T } from "../i18n";

/**
 * Captured and refunded per day as an inline SVG bar chart: no script, no third-party library, and
 * a table beside it for screen readers (the SVG is decorative to them). Drawn left to right in
 * both directions: it is a time axis, and Arabic charts of dates keep it so.
 */
export interface DayVolume {
  day: string;
  captured: number;
  refunded: number;
}

const WIDTH = 720;
const HEIGHT = 200;
const PAD = 24;

export const VolumeChart: FC<{ lang: Lang; t: T; currency: Currency; days: DayVolume[] }> = ({ lang, t, currency, days }) => {
  const max = Math.max(1, ...days.map((d) => Math.max(d.captured, d.refunded)));
  const slot = (WIDTH - PAD * 2) / days.length;
  const bar = Math.max(2, slot / 2 - 1);
  const y = (value: number) => HEIGHT - PAD - ((HEIGHT - PAD * 2) * value) / max;
  const caption = t("volume_caption", { currency });
  return (
    <figure class="panel chart">
      <figcaption>
        <strong>{caption}</strong>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={caption} direction="ltr">
        <line x1={PAD} y1={HEIGHT - PAD} x2={WIDTH - PAD} y2={HEIGHT - PAD} stroke="#7d8697" stroke-width="1" />
        {days.map((d, i) => {
          const x = PAD + i * slot;
          return (
            <g>
              <rect x={x} y={y(d.captured)} width={bar} height={HEIGHT - PAD - y(d.captured)} fill="#0b5cad">
                <title>{`${formatDay(lang, d.day)}: ${t("captured")} ${formatMoney(lang, d.captured, currency)}`}</title>
              </rect>
              <rect x={x + bar + 1} y={y(d.refunded)} width={bar} height={HEIGHT - PAD - y(d.refunded)} fill="#c0392b">
                <title>{`${formatDay(lang, d.day)}: ${t("refunded")} ${formatMoney(lang, d.refunded, currency)}`}</title>
              </rect>
            </g>
          );
        })}
        <text x={PAD} y={HEIGHT - 6} font-size="12" fill="#4d5566">
          {formatDay(lang, days[0]!.day)}
        </text>
        <text x={WIDTH - PAD} y={HEIGHT - 6} font-size="12" fill="#4d5566" text-anchor="end">
          {formatDay(lang, days.at(-1)!.day)}
        </text>
        <text x={PAD} y={PAD - 8} font-size="12" fill="#4d5566">
          {formatMoney(lang, max, currency)}
        </text>
      </svg>
      <ul class="legend">
        <li>
          <span class="swatch swatch-captured"></span>
          {t("captured")}
        </li>
        <li>
          <span class="swatch swatch-refunded"></span>
          {t("refunded")}
        </li>
      </ul>
    </figure>
  );
};
