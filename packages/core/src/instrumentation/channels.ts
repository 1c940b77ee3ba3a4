import diagnosticsChannel from 'node:diagnostics_channel';

export type ChannelListener = (message: unknown, name: string | symbol) => void;

/** A set of diagnostics_channel subscriptions that can be undone together. */
export class ChannelSubscriptions {
  private readonly active: Array<[string, ChannelListener]> = [];

  subscribe(name: string, listener: ChannelListener): void {
    diagnosticsChannel.subscribe(name, listener);
    this.active.push([name, listener]);
  }

  unsubscribeAll(): void {
    for (const [name, listener] of this.active) diagnosticsChannel.unsubscribe(name, listener);
    this.active.length = 0;
  }
}
