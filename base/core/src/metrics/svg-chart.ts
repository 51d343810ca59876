import type { MetricPoint } from '@kiln/api';

const WIDTH = 640;
const HEIGHT = 360;
const MARGIN = { top: 36, right: 24, bottom: 48, left: 72 };
const TICKS = 5;

/** Escapes text for SVG content and attributes. */
function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A readable number for an axis label: few digits, exponent for very large or small values. */
function formatTick(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) return value.toExponential(1);
  return Number(value.toPrecision(3)).toString();
}

function ticks(min: number, max: number): number[] {
  if (min === max) return [min];
  return Array.from({ length: TICKS }, (_, i) => min + ((max - min) * i) / (TICKS - 1));
}

function range(values: number[]): [number, number] {
  let min = Math.min(...values);
  let max = Math.max(...values);
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  return [min, max];
}

/**
 * A line chart of a series as a standalone SVG, with axes, tick labels, axis titles and the
 * metric's name as its title. No dependencies: it is served by the tool container itself.
 */
export function renderSeriesSvg(title: string, points: readonly MetricPoint[]): string {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeXml(title)}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold" fill="#1f2937">${escapeXml(title)}</text>`,
  ];
  if (points.length === 0) {
    parts.push(
      `<text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle" fill="#6b7280">no points yet</text></svg>`,
    );
    return parts.join('');
  }
  const [xMin, xMax] = range(points.map((p) => p.step));
  const [yMin, yMax] = range(points.map((p) => p.value));
  const x = (step: number): number => MARGIN.left + ((step - xMin) / (xMax - xMin)) * plotWidth;
  const y = (value: number): number =>
    MARGIN.top + plotHeight - ((value - yMin) / (yMax - yMin)) * plotHeight;
  const bottom = MARGIN.top + plotHeight;
  for (const tick of ticks(yMin, yMax)) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${y(tick)}" y2="${y(tick)}" stroke="#e5e7eb"/>`,
      `<text x="${MARGIN.left - 8}" y="${y(tick) + 4}" text-anchor="end" fill="#374151">${formatTick(tick)}</text>`,
    );
  }
  for (const tick of ticks(xMin, xMax)) {
    parts.push(
      `<line x1="${x(tick)}" x2="${x(tick)}" y1="${bottom}" y2="${bottom + 5}" stroke="#374151"/>`,
      `<text x="${x(tick)}" y="${bottom + 18}" text-anchor="middle" fill="#374151">${formatTick(tick)}</text>`,
    );
  }
  parts.push(
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${bottom}" stroke="#374151"/>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${bottom}" y2="${bottom}" stroke="#374151"/>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 10}" text-anchor="middle" fill="#1f2937">step</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle" fill="#1f2937">${escapeXml(title)}</text>`,
  );
  const path = points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.step).toFixed(2)},${y(p.value).toFixed(2)}`)
    .join(' ');
  parts.push(`<path d="${path}" fill="none" stroke="#2563eb" stroke-width="2"/>`);
  if (points.length <= 60) {
    for (const p of points)
      parts.push(
        `<circle cx="${x(p.step).toFixed(2)}" cy="${y(p.value).toFixed(2)}" r="3" fill="#2563eb"/>`,
      );
  }
  parts.push('</svg>');
  return parts.join('');
}
