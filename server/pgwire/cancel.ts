/**
 * CancelRegistry: hands out BackendKeyData (process id + secret key) to connections and routes a
 * CancelRequest, which arrives on a separate short-lived connection, to the connection it names.
 */
import { randomInt } from 'node:crypto';

export interface Cancellable {
  /** Flips the CancelSignal of the statement currently running, if any. */
  cancelRunningStatement(): void;
}

export interface BackendKey {
  processId: number;
  secretKey: number;
}

export class CancelRegistry {
  private nextProcessId = 1000 + randomInt(1000);
  private readonly byProcessId = new Map<number, { secretKey: number; target: Cancellable }>();

  register(target: Cancellable): BackendKey {
    let processId = this.nextProcessId;
    while (this.byProcessId.has(processId)) processId = processId >= 0x7ffffff0 ? 1000 : processId + 1;
    this.nextProcessId = processId >= 0x7ffffff0 ? 1000 : processId + 1;
    // A signed 32-bit random key, as PostgreSQL's BackendKeyData carries an Int32.
    const secretKey = randomInt(0x100000000) | 0;
    this.byProcessId.set(processId, { secretKey, target });
    return { processId, secretKey };
  }

  unregister(processId: number): void {
    this.byProcessId.delete(processId);
  }

  /** Returns whether the key matched a live connection. */
  cancel(processId: number, secretKey: number): boolean {
    const e = this.byProcessId.get(processId);
    if (e === undefined || e.secretKey !== secretKey) return false;
    e.target.cancelRunningStatement();
    return true;
  }
}
