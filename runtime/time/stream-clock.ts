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
}

export class StreamClock {
  watermark = -Infinity;
  maxEventTime = -Infinity;
  accepted = 0;
  late = 0;
  lastInputAt = 0;
  /** Max event time of the rows accepted in the current epoch. */
  private epochMax = -Infinity;

  constructor(readonly def: EventTimeDef | undefined) {}

  load(s: StreamClockState): void {
    this.watermark = s.watermark;
    this.maxEventTime = s.maxEventTime;
    this.accepted = s.accepted;
    this.late = s.late;
    this.lastInputAt = s.lastInputAt;
  }

  state(): StreamClockState {
    return { watermark: this.watermark, maxEventTime: this.maxEventTime, accepted: this.accepted, late: this.late, lastInputAt: this.lastInputAt };
  }

  /** True if the row is late (below the watermark in force); otherwise records its event time. */
  isLate(row: Row): boolean {
    const def = this.def;
    if (def === undefined) return false;
    const t = row[def.column] as number;
    if (t < this.watermark) return true;
    if (t > this.epochMax) this.epochMax = t;
    return false;
  }

  /** Counts one epoch's accepted and late rows (call once per appended batch). */
  count(accepted: number, late: number, nowMs: number): void {
    this.accepted += accepted;
    this.late += late;
    if (accepted > 0) this.lastInputAt = nowMs;
  }

  /** At the end of an epoch: folds the epoch's event times into the watermark. True if it moved. */
  endEpoch(): boolean {
    const def = this.def;
    if (def === undefined || this.epochMax === -Infinity) return false;
    if (this.epochMax > this.maxEventTime) this.maxEventTime = this.epochMax;
    this.epochMax = -Infinity;
    return this.raiseTo(this.maxEventTime - def.delayMicros);
  }

  /** The idle rule at wall-clock time nowMs; true if the watermark moved. */
  idleAdvance(nowMs: number): boolean {
    const timeout = this.def?.idleTimeoutMs;
    if (timeout === undefined || this.maxEventTime === -Infinity || this.lastInputAt === 0) return false;
    const idleMs = nowMs - this.lastInputAt;
    if (idleMs < timeout) return false;
    return this.raiseTo(this.maxEventTime + (idleMs - timeout) * 1000);
  }

  /** Wall-clock ms at which idleAdvance will next move the watermark (Infinity = never). */
  nextIdleCheck(): number {
    const timeout = this.def?.idleTimeoutMs;
    if (timeout === undefined || this.lastInputAt === 0) return Infinity;
    return this.lastInputAt + timeout;
  }

  private raiseTo(w: number): boolean {
    if (!(w > this.watermark)) return false;
    this.watermark = w;
    return true;
  }
}
