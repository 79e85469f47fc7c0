/**
 * Where a room's delivery stands: the epoch of its log and the next position to process (docs/protocol.md section
 * 10). A resubscription resumes from here; a message below it in the same epoch was processed already. Positions of
 * one epoch mean nothing in another, so a new epoch forgets the position.
 */
export class ResumePosition {
  private epochValue?: string;
  private next?: bigint;

  get epoch(): string | undefined {
    return this.epochValue;
  }

  /** The next position to process, once known. */
  get nextPosition(): bigint | undefined {
    return this.next;
  }

  /** Epoch and position to resume from, when both are known. */
  get point(): { epoch: string; nextPosition: bigint } | undefined {
    return this.epochValue !== undefined && this.next !== undefined ? { epoch: this.epochValue, nextPosition: this.next } : undefined;
  }

  /** Starts from a point the application kept (or the start of a log): the first Subscribe resumes from it. */
  startAt(epoch: string, nextPosition: bigint): void {
    this.epochValue = epoch;
    this.next = nextPosition;
  }

  /**
   * A Subscribed: the server's epoch, and its next position unless messages are replayed (`replayed > 0`): those
   * advance the position themselves, and jumping ahead now would skip them after a drop mid-replay.
   */
  subscribed(epoch: string, nextPosition: bigint, replayed: number): void {
    if (this.epochValue !== undefined && this.epochValue !== epoch) {
      this.next = undefined; // a new log: positions of the old epoch mean nothing
    }
    this.epochValue = epoch;
    if (replayed === 0) {
      this.next = this.next === undefined || nextPosition > this.next ? nextPosition : this.next;
    }
  }

  /** False for a message already processed (its epoch, below the next position); a new epoch is adopted. */
  admits(epoch: string, position: bigint): boolean {
    if (this.epochValue !== epoch) {
      if (this.epochValue !== undefined) {
        this.next = undefined;
      }
      this.epochValue = epoch;
      return true;
    }
    return this.next === undefined || position >= this.next;
  }

  /** The message at `position` was delivered to the application. */
  processed(position: bigint): void {
    this.next = position + 1n;
  }
}
