/** A line on a chart. */
export interface ChartSeries {
  name: string;
  values: number[];
  color?: string;
}

export interface ChartOptions {
  title: string;
  /** Labels for the x axis values (same length as the series). */
  xLabels?: string[];
  unit?: string;
  width?: number;
  height?: number;
  /** Stack the series (e.g. served-by mix) instead of drawing independent lines. */
  stacked?: boolean;
}

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Renders a small self-contained SVG line (or stacked area) chart. Reports are opened offline,
 * so charts are plain SVG with no script and no external asset.
 */
export function svgChart(series: ChartSeries[], options: ChartOptions): string {
  const width = options.width ?? 720;
  const height = options.height ?? 220;
  const pad = { left: 56, right: 12, top: 28, bottom: 36 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const points = Math.max(0, ...series.map((s) => s.values.length));
  const stacked = options.stacked ? stackValues(series) : series.map((s) => s.values);
  const max = Math.max(1e-9, ...stacked.flat().filter(Number.isFinite));
  const x = (i: number) => pad.left + (points <= 1 ? plotW / 2 : (i * plotW) / (points - 1));
  const y = (v: number) => pad.top + plotH - (Math.max(0, v) / max) * plotH;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(options.title)}">`,
    `<text x="${pad.left}" y="18" font-size="13" font-weight="600" fill="#111">${escapeXml(options.title)}</text>`,
    `<line x1="${pad.left}" y1="${pad.top + plotH}" x2="${pad.left + plotW}" y2="${pad.top + plotH}" stroke="#999"/>`,
    `<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${pad.top + plotH}" stroke="#999"/>`,
  ];
  for (const fraction of [0, 0.5, 1]) {
    const value = max * fraction;
    parts.push(`<text x="${pad.left - 6}" y="${y(value) + 4}" font-size="10" text-anchor="end" fill="#555">${formatNumber(value)}${options.unit ? escapeXml(options.unit) : ''}</text>`);
  }
  if (options.xLabels?.length) {
    const step = Math.max(1, Math.ceil(options.xLabels.length / 8));
    options.xLabels.forEach((label, i) => {
      if (i % step === 0) parts.push(`<text x="${x(i)}" y="${height - 14}" font-size="10" text-anchor="middle" fill="#555">${escapeXml(label)}</text>`);
    });
  }
  series.forEach((s, index) => {
    const values = stacked[index];
    if (values.length === 0) return;
    const color = s.color ?? PALETTE[index % PALETTE.length];
    const path = values.map((v, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="1.6"/>`);
    parts.push(`<text x="${pad.left + 8 + index * 110}" y="${height - 2}" font-size="10" fill="${color}">■ ${escapeXml(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

function stackValues(series: ChartSeries[]): number[][] {
  const running: number[] = [];
  return series.map((s) => s.values.map((v, i) => (running[i] = (running[i] ?? 0) + v)));
}

function formatNumber(value: number): string {
  if (value >= 1000) return `${(value / 1000).toFixed(1)}k`;
  if (value >= 10) return value.toFixed(0);
  return value.toFixed(value === 0 ? 0 : 2);
}

/** Escapes text for HTML element content and attributes. */
export const escapeHtml = escapeXml;
