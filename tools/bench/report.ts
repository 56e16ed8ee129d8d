/** The bench's outputs: the table on stdout, the JSON record and the SVG chart. */
import { FigureReport, formatValue, MetricReport } from './runner';

const RANGE = (m: MetricReport, side: 'ours' | 'baseline') =>
  `${formatValue(m[side].median)} [${formatValue(m[side].min)}-${formatValue(m[side].max)}]`;

/** The goal ratio, and the absolute bound GOAL also needs when the metric has one. */
const goalCell = (m: MetricReport) => {
  if (m.goal === undefined) return '-';
  if (m.goalBound === undefined) return m.goal.toFixed(2);
  return `${m.goal.toFixed(2)} & ${m.better === 'lower' ? '<=' : '>='} ${m.goalBound} ${m.unit}`;
};

/** figure | ours | baseline | ratio | floor | goal | verdict, then CPU per operation and notes. */
export function renderTable(figures: FigureReport[]): string {
  const header = [
    'figure',
    'ours (median [range])',
    'baseline (median [range])',
    'ratio [range]',
    'floor',
    'goal',
    'verdict',
  ];
  const rows: string[][] = [];
  for (const figure of figures) {
    if (figure.metrics.length === 0) rows.push([figure.name, '-', '-', '-', '-', '-', 'ERROR']);
    for (const m of figure.metrics) {
      rows.push([
        `${m.label} (${m.unit})`,
        RANGE(m, 'ours'),
        RANGE(m, 'baseline'),
        `${m.ratio.toFixed(2)} [${m.ratioRange[0].toFixed(2)}-${m.ratioRange[1].toFixed(2)}]`,
        m.floor?.toFixed(2) ?? '-',
        goalCell(m),
        m.verdict + (m.verdict === 'VOID' ? ` (baseline varied ${(m.baseline.variation * 100).toFixed(0)}%)` : ''),
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  const out = [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line), ''];
  out.push('CPU per operation (ms, median of rounds):');
  for (const figure of figures) {
    for (const side of ['ours', 'baseline'] as const) {
      const shares = Object.entries(figure.cpu[side]).map(([process, ms]) => `${process} ${ms.toFixed(3)}`);
      if (shares.length > 0) out.push(`  ${figure.name}, ${side}: ${shares.join(', ')}`);
    }
  }
  out.push('', 'Notes:');
  for (const figure of figures) {
    for (const note of figure.notes) out.push(`  - ${note}`);
    for (const m of figure.metrics) {
      if (m.failures.ours + m.failures.baseline > 0) {
        out.push(`  - ${m.label}: failed operations: ours ${m.failures.ours}, baseline ${m.failures.baseline}`);
      }
    }
    if (figure.error) out.push(`  - ${figure.name} FAILED: ${figure.error.split('\n')[0]}`);
  }
  return out.join('\n');
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A hand-written horizontal bar chart: one row per metric (throughput first, then latency), ours
 * and the baseline as two bars scaled to that row's largest value, the whiskers spanning the
 * rounds' range, the ratio and verdict at the right.
 */
export function renderSvg(figures: FigureReport[], title: string): string {
  const metrics = figures.flatMap((f) => f.metrics);
  const groups: [string, MetricReport[]][] = [
    ['Throughput (higher is better)', metrics.filter((m) => m.better === 'higher')],
    ['Latency (lower is better)', metrics.filter((m) => m.better === 'lower')],
  ];
  const width = 900;
  const labelWidth = 260;
  const barArea = 440;
  const rowHeight = 46;
  const parts: string[] = [];
  let y = 40;
  parts.push(`<text x="20" y="24" font-size="16" font-weight="bold">${escape(title)}</text>`);
  for (const [heading, rows] of groups) {
    if (rows.length === 0) continue;
    y += 14;
    parts.push(`<text x="20" y="${y}" font-size="13" font-weight="bold">${escape(heading)}</text>`);
    y += 10;
    for (const m of rows) {
      const scale = Math.max(m.ours.max, m.baseline.max) || 1;
      const bar = (side: 'ours' | 'baseline', top: number, colour: string) => {
        const s = m[side];
        const w = (s.median / scale) * barArea;
        const x0 = labelWidth + (s.min / scale) * barArea;
        const x1 = labelWidth + (s.max / scale) * barArea;
        const mid = top + 8;
        return [
          `<rect x="${labelWidth}" y="${top}" width="${w.toFixed(1)}" height="16" fill="${colour}"/>`,
          `<line x1="${x0.toFixed(1)}" y1="${mid}" x2="${x1.toFixed(1)}" y2="${mid}" stroke="#222"/>`,
          `<line x1="${x0.toFixed(1)}" y1="${mid - 5}" x2="${x0.toFixed(1)}" y2="${mid + 5}" stroke="#222"/>`,
          `<line x1="${x1.toFixed(1)}" y1="${mid - 5}" x2="${x1.toFixed(1)}" y2="${mid + 5}" stroke="#222"/>`,
          `<text x="${(labelWidth + Math.max(w, x1 - labelWidth) + 6).toFixed(1)}" y="${top + 12}" font-size="11">${side} ${formatValue(s.median)}</text>`,
        ].join('');
      };
      parts.push(`<text x="20" y="${y + 14}" font-size="12">${escape(m.label)}</text>`);
      parts.push(`<text x="20" y="${y + 30}" font-size="11" fill="#555">${escape(m.unit)}</text>`);
      parts.push(bar('ours', y, '#2b6cb0'), bar('baseline', y + 20, '#a0aec0'));
      const colour = m.verdict === 'BELOW FLOOR' ? '#c53030' : m.verdict === 'VOID' ? '#b7791f' : '#2f855a';
      parts.push(
        `<text x="${width - 20}" y="${y + 22}" font-size="12" text-anchor="end" fill="${colour}">x${m.ratio.toFixed(2)} ${m.verdict}</text>`,
      );
      y += rowHeight;
    }
  }
  y += 10;
  parts.push(
    `<text x="20" y="${y}" font-size="11" fill="#555">bars: median of the rounds; whiskers: min-max; ratio oriented so that higher is better for ours</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 16}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
${parts.join('\n')}
</svg>
`;
}
