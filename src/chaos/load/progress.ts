/** A one-line progress bar for terminals (writes to stderr; no-op when stderr is not a TTY). */
export function progressBar(stream: NodeJS.WriteStream = process.stderr) {
  const enabled = stream.isTTY === true;
  return {
    update(p: { elapsedMs: number; totalMs: number; requests: number; errors: number; inFlight: number }): void {
      if (!enabled) return;
      const fraction = Math.min(1, p.totalMs > 0 ? p.elapsedMs / p.totalMs : 0);
      const width = 30;
      const filled = Math.round(fraction * width);
      const bar = `${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(width - filled)}`;
      stream.write(`\r[${bar}] ${(fraction * 100).toFixed(0).padStart(3)}% ${(p.elapsedMs / 1000).toFixed(1)}s  ${p.requests} req  ${p.errors} err  ${p.inFlight} in flight   `);
    },
    done(): void {
      if (enabled) stream.write('\n');
    },
  };
}
