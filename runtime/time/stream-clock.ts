/**
 * A stream's event-time clock: its watermark, the late-row rule and the idle rule.
 *
 * - The watermark is max(event time accepted) - delay and never goes back. It moves only at
 *   epoch boundaries (endEpoch): every row of an epoch is judged against the watermark in force
 *   when the epoch started, so the rows of one INSERT are all judged alike.
 * - A row whose event time is below that watermark is late: the stream does not accept it.
 * - idle_timeout: once no row has been accepted for that long, the stream's event time is taken
 *   to keep pace with the wall clock: watermark = max event time + (idle time - idle_timeout).
 *   The delay is waived (nothing straggling came for the whole timeout), so a quiet stream's last
 *   window closes about idle_timeout + (window end - last event time) after the last row.
 *
 * - Partitioned sources (Kafka) name each batch's partition. Each partition keeps its own
 *   maximum, and the watermark is min(maximum of the active partitions) - delay, so a lagging
 *   partition's rows are not judged late against a faster one's time. A partition without input
 *   for partition_idle_timeout (default 30 s) stops holding the watermark back; with every
 *   partition idle, the stream's overall maximum counts.
 *
 * Times are µs (the timestamp representation); wall-clock times are ms.
 */
import type { EventTimeDef } from '../catalog/catalog.js';
import type { Row } from '../sql/values.js';

export interface StreamClockState {
  watermark: number;
  maxEventTime: number;
  accepted: number;
  late: number;
  /** Wall-clock ms of the last accepted row (0 = never). */
  lastInputAt: number;
  /** Records a source could not decode (skipped). */
  malformed?: number;
  /** Partitioned sources: [partition, max event time, wall-clock ms of its last row]. */
  partitions?: [string, number, number][];
}

/** Default of partition_idle_timeout (ms). */
export const PARTITION_IDLE_MS = 30_000;

interface PartitionClock {
  max: number;
  lastInputAt: number;
  epochMax: number;
}

export class StreamClock {
  watermark = -Infinity;
  maxEventTime = -Infinity;
  accepted = 0;
  late = 0;
  lastInputAt = 0;
  malformed = 0;
  /** Max event time of the rows accepted in the current epoch. */
  private epochMax = -Infinity;
  private readonly partitions = new Map<string, PartitionClock>();
  /** The partition of the rows being judged (set per batch by setPartition). */
  private current: PartitionClock | undefined;
  /** Wall-clock ms of the last partitionIdleAdvance: partitions idle since before it are settled. */
  private partitionsCheckedAt = 0;

  constructor(readonly def: EventTimeDef | undefined) {}

  load(s: StreamClockState): void {
    this.watermark = s.watermark;
    this.maxEventTime = s.maxEventTime;
    this.accepted = s.accepted;
    this.late = s.late;
    this.lastInputAt = s.lastInputAt;
    this.malformed = s.malformed ?? 0;
    this.partitions.clear();
    for (const [p, max, at] of s.partitions ?? []) this.partitions.set(p, { max, lastInputAt: at, epochMax: -Infinity });
  }

  state(): StreamClockState {
    const s: StreamClockState = { watermark: this.watermark, maxEventTime: this.maxEventTime, accepted: this.accepted, late: this.late, lastInputAt: this.lastInputAt };
    if (this.malformed > 0) s.malformed = this.malformed;
    if (this.partitions.size > 0) s.partitions = [...this.partitions].map(([p, c]) => [p, c.max, c.lastInputAt]);
    return s;
  }

  /** The partition the next rows (until the next call) come from; undefined for unpartitioned input. */
  setPartition(partition: string | undefined): void {
    if (partition === undefined || this.def === undefined) {
      this.current = undefined;
      return;
    }
    let c = this.partitions.get(partition);
    if (c === undefined) this.partitions.set(partition, (c = { max: -Infinity, lastInputAt: 0, epochMax: -Infinity }));
    this.current = c;
  }

  /** True if the row is late (below the watermark in force); otherwise records its event time. */
  isLate(row: Row): boolean {
    const def = this.def;
    if (def === undefined) return false;
    const t = row[def.column] as number;
    if (t < this.watermark) return true;
    if (t > this.epochMax) this.epochMax = t;
    const c = this.current;
    if (c !== undefined && t > c.epochMax) c.epochMax = t;
    return false;
  }

  /** Counts one batch's accepted and late rows (call once per appended batch, after isLate). */
  count(accepted: number, late: number, nowMs: number): void {
    this.accepted += accepted;
    this.late += late;
    if (accepted > 0) {
      this.lastInputAt = nowMs;
      if (this.current !== undefined) this.current.lastInputAt = nowMs;
    }
    this.current = undefined;
  }

  /** At the end of an epoch: folds the epoch's event times into the watermark. True if it moved. */
  endEpoch(nowMs = Date.now()): boolean {
    const def = this.def;
    if (def === undefined || this.epochMax === -Infinity) return false;
    if (this.epochMax > this.maxEventTime) this.maxEventTime = this.epochMax;
    this.epochMax = -Infinity;
    for (const c of this.partitions.values()) {
      if (c.epochMax > c.max) c.max = c.epochMax;
      c.epochMax = -Infinity;
    }
    return this.raiseTo(this.eventTimeBound(nowMs) - def.delayMicros);
  }

  /** The event time the watermark follows: the minimum over active partitions, else the maximum. */
  private eventTimeBound(nowMs: number): number {
    if (this.partitions.size === 0) return this.maxEventTime;
    const idleMs = this.def?.partitionIdleMs ?? PARTITION_IDLE_MS;
    let min = Infinity;
    for (const c of this.partitions.values()) {
      if (c.max === -Infinity || nowMs - c.lastInputAt >= idleMs) continue;
      if (c.max < min) min = c.max;
    }
    return min === Infinity ? this.maxEventTime : min;
  }

  /** Partitions that became idle may free the watermark: true if it moved. */
  partitionIdleAdvance(nowMs: number): boolean {
    const def = this.def;
    if (def === undefined || this.partitions.size === 0 || this.maxEventTime === -Infinity) return false;
    this.partitionsCheckedAt = nowMs;
    return this.raiseTo(this.eventTimeBound(nowMs) - def.delayMicros);
  }

  /** The idle rule at wall-clock time nowMs; true if the watermark moved. */
  idleAdvance(nowMs: number): boolean {
    const timeout = this.def?.idleTimeoutMs;
    if (timeout === undefined || this.maxEventTime === -Infinity || this.lastInputAt === 0) return false;
    const idleMs = nowMs - this.lastInputAt;
    if (idleMs < timeout) return false;
    return this.raiseTo(this.maxEventTime + (idleMs - timeout) * 1000);
  }

  /** Wall-clock ms at which idleAdvance or partitionIdleAdvance may next move the watermark (Infinity = never). */
  nextIdleCheck(): number {
    let at = Infinity;
    const timeout = this.def?.idleTimeoutMs;
    if (timeout !== undefined && this.lastInputAt !== 0) at = this.lastInputAt + timeout;
    if (this.def !== undefined && this.partitions.size > 1) {
      // Only a partition behind the others can hold the watermark back.
      const idleMs = this.def.partitionIdleMs ?? PARTITION_IDLE_MS;
      for (const c of this.partitions.values()) {
        const due = c.lastInputAt + idleMs;
        if (c.max < this.maxEventTime && due > this.partitionsCheckedAt && due < at) at = due;
      }
    }
    return at;
  }

  /** True if the clock needs the engine's idle timer (idle_timeout, or partitions that may go idle). */
  get needsIdleTimer(): boolean {
    return this.def !== undefined && (this.def.idleTimeoutMs !== undefined || this.partitions.size > 1);
  }

  private raiseTo(w: number): boolean {
    if (!(w > this.watermark)) return false;
    this.watermark = w;
    return true;
  }
}
