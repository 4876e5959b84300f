/** Number formatting shared by the human-readable reporters. */

export function formatRate(x: number | null, digits = 1): string {
  if (x === null) return '-';
  const a = Math.abs(x);
  if (a !== 0 && a < 0.05) return x.toExponential(0);
  if (a >= 1000) return x.toFixed(0);
  return x.toFixed(digits);
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatSeconds(s: number): string {
  return s < 10 ? `${s.toFixed(2)} s` : `${s.toFixed(0)} s`;
}

/** cli-table3 options shared by the tables: cyan headings with colour, plain ASCII borders without. */
export function tableStyle(colourLevel: number) {
  const plain = colourLevel === 0;
  return {
    style: { head: plain ? [] : ['cyan'], border: [] },
    ...(plain
      ? {
          chars: {
            top: '-', 'top-mid': '+', 'top-left': '+', 'top-right': '+',
            bottom: '-', 'bottom-mid': '+', 'bottom-left': '+', 'bottom-right': '+',
            left: '|', 'left-mid': '+', mid: '-', 'mid-mid': '+',
            right: '|', 'right-mid': '+', middle: '|',
          },
        }
      : {}),
  };
}
