/** A bounded set that forgets its least recently added key first (Map keeps insertion order). */
export class LruSet {
  private readonly keys = new Map<string, true>();

  constructor(private readonly capacity: number) {
    checkCapacity(capacity);
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Adds the key; returns false when it was already present (a duplicate). */
  add(key: string): boolean {
    if (this.keys.has(key)) {
      return false;
    }
    this.keys.set(key, true);
    if (this.keys.size > this.capacity) {
      const oldest = this.keys.keys().next().value as string;
      this.keys.delete(oldest);
    }
    return true;
  }

  get size(): number {
    return this.keys.size;
  }
}

export function checkCapacity(capacity: number): number {
  if (!(capacity >= 1)) {
    throw new RangeError(`capacity: ${capacity} (expected: >= 1)`);
  }
  return capacity;
}
