import { SwitchboardError } from './errors.js';
import { ErrorCode } from './gen/switchboard/client/v1/client_pb.js';
import type { HistoryOptions } from './options.js';
import type { HistoryPage, RoomMessage } from './types.js';

/** What a pager reads pages from (a SwitchboardClient). */
export interface HistorySource {
  history(room: string, options: HistoryOptions): Promise<HistoryPage>;
}

/**
 * Pages a room backwards: the first loadEarlier() returns the newest page, each next one the page before it.
 * A changed epoch (EPOCH_MISMATCH) restarts from the newest page.
 */
export class HistoryPager {
  private oldest?: bigint;
  private epoch?: string;
  private more = true;

  constructor(
    private readonly client: HistorySource,
    readonly room: string,
    private readonly pageSize: number,
  ) {}

  /** False once the oldest retained message was returned. */
  get hasMore(): boolean {
    return this.more;
  }

  async loadEarlier(): Promise<RoomMessage[]> {
    if (!this.more) {
      return [];
    }
    let page: HistoryPage;
    try {
      page =
        this.oldest === undefined
          ? await this.client.history(this.room, { direction: 'latest', limit: this.pageSize })
          : await this.client.history(this.room, { direction: 'before', position: this.oldest, epoch: this.epoch, limit: this.pageSize });
    } catch (e) {
      if (e instanceof SwitchboardError && e.code === ErrorCode.EPOCH_MISMATCH) {
        this.reset();
      }
      throw e;
    }
    this.epoch = page.epoch;
    if (page.messages.length > 0) {
      this.oldest = page.messages[0]!.position;
    }
    this.more = page.hasMore && page.messages.length > 0;
    return page.messages;
  }

  reset(): void {
    this.oldest = undefined;
    this.epoch = undefined;
    this.more = true;
  }
}
