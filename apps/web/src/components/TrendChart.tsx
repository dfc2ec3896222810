import { useId } from 'react';
import type { Series } from '../lib/chart-data.ts';
import { dateText, round } from '../lib/format.ts';

/**
 * A line chart of one series as SVG (no chart library: a few hundred points need no more). The values are
 * also in a visually hidden table, so a screen reader gets the numbers rather than a picture.
 */
export function TrendChart({ series, width = 360, height = 140 }: { series: Series; width?: number; height?: number }) {
  const id = useId();
  const pts = series.points;
  const pad = { l: 40, r: 10, t: 10, b: 22 };
  const minT = pts[0]?.t ?? 0;
  const maxT = pts[pts.length - 1]?.t ?? 1;
  const vs = pts.map((p) => p.v);
  let minV = Math.min(...vs);
  let maxV = Math.max(...vs);
  if (minV === maxV) {
    minV -= 1;
    maxV += 1;
  }
  const x = (t: number) => pad.l + ((t - minT) / (maxT - minT || 1)) * (width - pad.l - pad.r);
  const y = (v: number) => pad.t + (1 - (v - minV) / (maxV - minV)) * (height - pad.t - pad.b);
  const path = pts.map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
  return (
    <figure style={{ margin: 0 }} aria-labelledby={id}>
      <figcaption id={id} style={{ fontWeight: 600, fontSize: 14 }}>
        {series.label} {series.unit && `(${series.unit})`}
      </figcaption>
      <svg width="100%" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${series.label}: ${pts.length} values from ${dateText(pts[0]?.date)} to ${dateText(pts[pts.length - 1]?.date)}`}>
        <line x1={pad.l} x2={width - pad.r} y1={height - pad.b} y2={height - pad.b} stroke="#adb5bd" />
        <line x1={pad.l} x2={pad.l} y1={pad.t} y2={height - pad.b} stroke="#adb5bd" />
        <text x={pad.l - 4} y={y(maxV) + 4} textAnchor="end" fontSize="10" fill="#495057">
          {round(maxV)}
        </text>
        <text x={pad.l - 4} y={y(minV) + 4} textAnchor="end" fontSize="10" fill="#495057">
          {round(minV)}
        </text>
        <text x={pad.l} y={height - 6} fontSize="10" fill="#495057">
          {dateText(pts[0]?.date)}
        </text>
        <text x={width - pad.r} y={height - 6} textAnchor="end" fontSize="10" fill="#495057">
          {dateText(pts[pts.length - 1]?.date)}
        </text>
        <path d={path} fill="none" stroke="var(--mantine-color-teal-6, #12b886)" strokeWidth="2" />
        {pts.length <= 60 && pts.map((p) => <circle key={p.t} cx={x(p.t)} cy={y(p.v)} r="2.5" fill="var(--mantine-color-teal-8, #087f5b)" />)}
      </svg>
      <div className="visually-hidden">
      <table>
        <caption>{series.label}</caption>
        <tbody>
          {pts.map((p) => (
            <tr key={p.t}>
              <td>{dateText(p.date)}</td>
              <td>
                {round(p.v)} {series.unit}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    </figure>
  );
}
