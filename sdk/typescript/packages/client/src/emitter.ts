/** A minimal typed event emitter (no dependency on Node's EventEmitter, so it runs in browsers). */
export class Emitter<Events extends { [K in keyof Events]: unknown }> {
  private readonly listeners = new Map<keyof Events, Set<(event: never) => void>>();

  /** Registers a listener; returns a function that removes it. */
  on<K extends keyof Events>(name: K, listener: (event: Events[K]) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener as (event: never) => void);
    return () => this.off(name, listener);
  }

  off<K extends keyof Events>(name: K, listener: (event: Events[K]) => void): void {
    this.listeners.get(name)?.delete(listener as (event: never) => void);
  }

  /** Calls every listener; a throwing listener is reported on the console and does not stop the others. */
  emit<K extends keyof Events>(name: K, event: Events[K]): void {
    const set = this.listeners.get(name);
    if (!set) {
      return;
    }
    for (const listener of [...set]) {
      try {
        (listener as (event: Events[K]) => void)(event);
      } catch (e) {
        console.error(`switchboard: a '${String(name)}' listener threw`, e);
      }
    }
  }
}
