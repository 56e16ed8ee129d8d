/** Where a rebuild is. */
export type RebuildPhase = 'preparing' | 'replaying' | 'switching' | 'cleaning-up' | 'done' | 'failed';

export interface RebuildProgress {
  set: string;
  phase: RebuildPhase;
  /** Events read from the feed and applied to the new schema so far. */
  events: number;
  /** Highest position read so far ('0' before the first page). */
  position: string;
  /** Highest committed position in the store at the last page (undefined: the feed did not say). */
  head?: string;
  /** Epoch ms when the replay started. */
  startedAt: number;
  /** Epoch ms now (the moment this report describes). */
  now: number;
}

export interface ProgressFigures {
  /** 0..1, by position (positions have gaps, so this is an estimate); undefined without a head. */
  fraction?: number;
  /** Events applied per second since the replay started. */
  rate: number;
  /** Seconds left at the current pace; undefined when unknown. */
  etaSeconds?: number;
}

/** Fraction, rate and ETA of a progress report (pure). */
export function figuresOf(progress: RebuildProgress): ProgressFigures {
  const seconds = Math.max(0.001, (progress.now - progress.startedAt) / 1000);
  const rate = progress.events / seconds;
  const head = progress.head === undefined ? 0 : Number(progress.head);
  const position = Number(progress.position);
  if (head <= 0) return { rate, fraction: progress.head === undefined ? undefined : 1, etaSeconds: undefined };
  const fraction = Math.min(1, position / head);
  const etaSeconds = fraction > 0 ? (seconds * (1 - fraction)) / fraction : undefined;
  return { fraction, rate, etaSeconds };
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');

export function duration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** One terminal line: `read-models [#####-----]  52%  12,345 events  3,210 ev/s  ETA 0:04  replaying`. */
export function progressBar(progress: RebuildProgress, width = 30): string {
  const { fraction, rate, etaSeconds } = figuresOf(progress);
  const filled = Math.round((fraction ?? 0) * width);
  const bar = fraction === undefined ? '?'.repeat(width) : '#'.repeat(filled) + '-'.repeat(width - filled);
  const percent = fraction === undefined ? '  ?%' : `${String(Math.floor(fraction * 100)).padStart(3)}%`;
  return (
    `${progress.set} [${bar}] ${percent}  ${count(progress.events)} events  ${count(rate)} ev/s  ` +
    `ETA ${duration(etaSeconds)}  ${progress.phase}`
  );
}

/** A plain log line (for a stdout that is not a terminal). */
export function progressLine(progress: RebuildProgress): string {
  const { fraction, rate, etaSeconds } = figuresOf(progress);
  const of = progress.head === undefined ? '' : ` of head ${progress.head}`;
  const percent = fraction === undefined ? '' : ` (${(fraction * 100).toFixed(1)}%)`;
  return (
    `rebuild ${progress.set}: ${progress.phase}, ${count(progress.events)} events, position ${progress.position}` +
    `${of}${percent}, ${count(rate)} events/s, ETA ${duration(etaSeconds)}`
  );
}

/**
 * Shows progress on a stream: a bar redrawn in place (at most 5 times a second) on a terminal,
 * otherwise a plain line every `intervalMs`, and always on a phase change.
 */
export class ProgressPrinter {
  private lastAt = 0;
  private lastPhase?: RebuildPhase;
  private drawn = false;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly intervalMs = 2_000,
  ) {}

  private get tty(): boolean {
    return Boolean(this.out.isTTY);
  }

  update(progress: RebuildProgress): void {
    const now = Date.now();
    const phaseChanged = progress.phase !== this.lastPhase;
    const every = this.tty ? 200 : this.intervalMs;
    if (!phaseChanged && now - this.lastAt < every) return;
    this.lastAt = now;
    this.lastPhase = progress.phase;
    if (this.tty) {
      const width = Math.max(10, Math.min(40, (this.out.columns ?? 100) - 70));
      this.out.write(`\r\x1b[K${progressBar(progress, width)}`);
      this.drawn = true;
    } else {
      this.out.write(`${progressLine(progress)}\n`);
    }
  }

  /** Ends the bar's line (before any other output). */
  done(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}
