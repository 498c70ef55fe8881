// Thirty days of findings as stacked severity bars. The chart is one image with a summary for
// screen readers; the numbers themselves are in a table behind a disclosure.
import type { Schemas } from '../api/client';
import { SEVERITIES } from './ui';

type Point = Schemas['TrendPoint'];

const W = 600;
const H = 140;
const PAD = 4;

/** Every UTC day of the period, oldest first, so days without scans show as gaps. */
function days(count: number, today = new Date()): string[] {
  const out: string[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - i));
    out.push(d.toISOString().slice(0, 10));
  }
  return out;
}

export function describeTrend(points: Point[], period: number): string {
  if (points.length === 0) return `Findings per day over the last ${period} days: no scans completed in that time.`;
  const last = points[points.length - 1];
  const peak = points.reduce((a, b) => (b.total_findings > a.total_findings ? b : a));
  return (
    `Findings per day over the last ${period} days: ${points.length} day${points.length === 1 ? '' : 's'} with scans. ` +
    `Latest, ${last.date}: ${last.total_findings} findings (${last.critical} critical, ${last.high} high), risk ${last.risk_score}. ` +
    `Peak: ${peak.total_findings} on ${peak.date}.`
  );
}

export function TrendChart({ points, period }: { points: Point[]; period: number }) {
  const axis = days(period);
  const byDate = new Map(points.map((p) => [p.date, p]));
  const max = Math.max(1, ...points.map((p) => p.total_findings));
  const slot = W / axis.length;
  const bar = Math.max(2, slot - 3);
  return (
    <figure class="overview-trend">
      <svg viewBox={`0 0 ${W} ${H + 18}`} role="img" aria-label={describeTrend(points, period)}>
        <line x1="0" x2={W} y1={H} y2={H} class="axis" />
        {axis.map((date, i) => {
          const point = byDate.get(date);
          if (!point) return null;
          let y = H;
          return (
            <g key={date}>
              {SEVERITIES.map((sev) => {
                const value = point[sev];
                if (!value) return null;
                const h = Math.max(1, (value / max) * (H - PAD));
                y -= h;
                return <rect key={sev} x={i * slot + 1.5} y={y} width={bar} height={h} class={`bar-${sev}`} />;
              })}
            </g>
          );
        })}
        <text x="0" y={H + 14} class="tick">
          {axis[0]}
        </text>
        <text x={W} y={H + 14} class="tick" text-anchor="end">
          {axis[axis.length - 1]}
        </text>
      </svg>
      <figcaption class="overview-legend">
        {SEVERITIES.map((sev) => (
          <span key={sev} class={`sev sev-${sev}`}>
            <span class="dot" aria-hidden="true" />
            {sev}
          </span>
        ))}
        <span class="muted">· bar height: findings of the day's last completed scan (max {max})</span>
      </figcaption>
      <details class="overview-trend-data">
        <summary>Trend data as a table</summary>
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Trend data">
          <table>
            <thead>
              <tr>
                <th scope="col">Date (UTC)</th>
                <th scope="col" class="num">
                  Findings
                </th>
                {SEVERITIES.map((sev) => (
                  <th scope="col" class="num" key={sev}>
                    {sev}
                  </th>
                ))}
                <th scope="col" class="num">
                  Risk
                </th>
              </tr>
            </thead>
            <tbody>
              {points.map((p) => (
                <tr key={p.date}>
                  <td>{p.date}</td>
                  <td class="num">{p.total_findings}</td>
                  {SEVERITIES.map((sev) => (
                    <td class="num" key={sev}>
                      {p[sev]}
                    </td>
                  ))}
                  <td class="num">{p.risk_score}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
