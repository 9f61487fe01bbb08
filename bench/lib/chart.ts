import { Resvg } from '@resvg/resvg-js';

export interface ChartSeries {
  readonly name: string;
  readonly color: string;
  readonly dashed?: boolean;
  readonly points: ReadonlyArray<readonly [number, number]>;
}

const W = 760;
const H = 440;
const M = { left: 70, right: 170, top: 50, bottom: 60 };

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}

/** A line chart of latency (log scale, ms) against rate, built as SVG by hand and rendered to PNG. */
export function latencyChartPng(title: string, series: readonly ChartSeries[], xTicks: readonly number[]): Buffer {
  const ys = series.flatMap((s) => s.points.map(([, y]) => y)).filter((y) => Number.isFinite(y) && y > 0);
  const yMin = 10 ** Math.floor(Math.log10(Math.max(0.1, Math.min(...ys, 1))));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...ys, 10)));
  const xMax = Math.max(...xTicks) * 1.05;
  const px = (x: number) => M.left + (x / xMax) * (W - M.left - M.right);
  const py = (y: number) => H - M.bottom - ((Math.log10(Math.max(y, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * (H - M.top - M.bottom);
  const parts: string[] = [];
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${W / 2 - 60}" y="28" font-family="sans-serif" font-size="16" text-anchor="middle">${esc(title)}</text>`);
  for (let d = yMin; d <= yMax; d *= 10) {
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${py(d)}" y2="${py(d)}" stroke="#ddd"/>`);
    parts.push(`<text x="${M.left - 8}" y="${py(d) + 4}" font-family="sans-serif" font-size="12" text-anchor="end">${d >= 1000 ? `${d / 1000} s` : `${d} ms`}</text>`);
  }
  for (const x of xTicks) {
    parts.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${M.top}" y2="${H - M.bottom}" stroke="#eee"/>`);
    parts.push(`<text x="${px(x)}" y="${H - M.bottom + 18}" font-family="sans-serif" font-size="12" text-anchor="middle">${x}</text>`);
  }
  parts.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - 18}" font-family="sans-serif" font-size="13" text-anchor="middle">offered rate (webhooks/s)</text>`);
  parts.push(`<text x="18" y="${(M.top + H - M.bottom) / 2}" font-family="sans-serif" font-size="13" text-anchor="middle" transform="rotate(-90 18 ${(M.top + H - M.bottom) / 2})">latency (log scale)</text>`);
  parts.push(`<rect x="${M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#444"/>`);
  series.forEach((s, i) => {
    const pts = s.points.filter(([, y]) => Number.isFinite(y));
    if (pts.length > 0) {
      parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2.5" ${s.dashed ? 'stroke-dasharray="6 4"' : ''} points="${pts.map(([x, y]) => `${px(x)},${py(y)}`).join(' ')}"/>`);
      for (const [x, y] of pts) parts.push(`<circle cx="${px(x)}" cy="${py(y)}" r="4" fill="${s.color}"/>`);
    }
    const ly = M.top + 12 + i * 22;
    parts.push(`<line x1="${W - M.right + 14}" x2="${W - M.right + 40}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2.5" ${s.dashed ? 'stroke-dasharray="6 4"' : ''}/>`);
    parts.push(`<text x="${W - M.right + 46}" y="${ly + 4}" font-family="sans-serif" font-size="12">${esc(s.name)}</text>`);
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${parts.join('')}</svg>`;
  return new Resvg(svg, { font: { loadSystemFonts: true } }).render().asPng();
}
