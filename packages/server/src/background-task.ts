/**
 * Work the server does in the background of its process, one run at a time: `kick` starts a run now, or one more
 * after the run in progress (so what a kick announced is never missed); `start` also kicks every `pollMs` for work
 * stored by another process or left by a stopped one; `close` stops kicking and waits for the run in hand, which
 * checks `closed` between its steps. Nothing runs before `start` (a serving process): a command that opens the
 * database briefly (`confide import`) leaves the stored work to the server.
 */
export abstract class BackgroundTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private started = false;
  protected closed = false;

  constructor(
    private readonly pollMs: number,
    private readonly onRunError?: (err: unknown) => void,
  ) {}

  /** One run: does all the work there is, then resolves. */
  protected abstract drain(): Promise<void>;

  start(): void {
    this.started = true;
    this.timer ??= setInterval(() => this.kick(), this.pollMs);
    this.timer.unref();
  }

  kick(): void {
    if (this.closed || !this.started) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((e) => this.onRunError?.(e))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
