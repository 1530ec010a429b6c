/**
 * A small line of values, oldest first, scaled to its own range (a flat line for a constant
 * series). `label` says what it shows for assistive technology.
 */
export function Sparkline({
  values,
  label,
  width = 120,
  height = 28,
}: {
  values: readonly number[];
  label: string;
  width?: number;
  height?: number;
}) {
  if (values.length === 0) return null;
  // One day of history is a level line.
  if (values.length === 1)
    return (
      <Sparkline values={[values[0] ?? 0, values[0] ?? 0]} label={label} width={width} height={height} />
    );
  const min = Math.min(...values);
  const max = Math.max(...values);
  const pad = 2;
  const x = (i: number) => pad + (i * (width - 2 * pad)) / (values.length - 1);
  const y = (v: number) =>
    max === min ? height / 2 : height - pad - ((v - min) * (height - 2 * pad)) / (max - min);
  const points = values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const last = values[values.length - 1] ?? 0;
  const first = values[0] ?? 0;
  const color = last > first ? '#52c41a' : last < first ? '#ff4d4f' : '#1677ff';
  return (
    <svg width={width} height={height} role="img" aria-label={label}>
      <title>{label}</title>
      <polyline points={points} fill="none" stroke={color} strokeWidth={1.5} strokeLinejoin="round" />
      <circle cx={x(values.length - 1)} cy={y(last)} r={2} fill={color} />
    </svg>
  );
}
