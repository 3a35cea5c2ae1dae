/**
 * A process's slots for running jobs: the cap on jobs running at once across all of its BullMQ
 * workers (one per job type). A job waits for a slot first come, first served; a freed slot goes
 * straight to the job that waited longest. Once closed, waiting jobs are turned away (acquire
 * resolves false) so the adapter can hand them back to the queue unrun.
 */
export class JobSlots {
  private running = 0;
  private readonly waiting: Array<(granted: boolean) => void> = [];
  private closed = false;

  constructor(
    readonly limit: number,
    /** Called whenever the number of free slots may have changed. */
    private readonly onChange: () => void = () => undefined,
  ) {}

  get free(): number {
    return this.limit - this.running;
  }

  /** Resolves true with a slot taken, or false when the slots were closed meanwhile. */
  acquire(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.running < this.limit) {
      this.running++;
      this.onChange();
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) {
      next(true);
      return;
    }
    this.running--;
    this.onChange();
  }

  close(): void {
    this.closed = true;
    for (const turnAway of this.waiting.splice(0)) turnAway(false);
  }
}
