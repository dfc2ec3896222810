/** A progress bar on stderr; on a non-terminal it prints a line every few seconds instead of redrawing. */
export class Progress {
  private done = 0;
  private readonly started = Date.now();
  private lastDraw = 0;

  constructor(
    private readonly label: string,
    private readonly total: number | undefined,
    private readonly unit = 'resources',
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {}

  add(n: number): void {
    this.done += n;
    const now = Date.now();
    const interval = this.out.isTTY ? 100 : 5000;
    if (now - this.lastDraw >= interval) {
      this.lastDraw = now;
      this.draw(false);
    }
  }

  finish(): void {
    this.draw(true);
  }

  get count(): number {
    return this.done;
  }

  private draw(final: boolean): void {
    const secs = Math.max((Date.now() - this.started) / 1000, 0.001);
    const rate = Math.round(this.done / secs);
    let bar = '';
    if (this.total) {
      const width = 30;
      const frac = Math.min(this.done / this.total, 1);
      const full = Math.round(frac * width);
      bar = `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${Math.round(frac * 100)}% `;
    }
    const line = `${this.label} ${bar}${this.done.toLocaleString('en-US')}${this.total ? '/' + this.total.toLocaleString('en-US') : ''} ${this.unit} (${rate.toLocaleString('en-US')}/s)`;
    if (this.out.isTTY) this.out.write('\r' + line + (final ? '\n' : ''));
    else this.out.write(line + '\n');
  }
}
