/** What the measured process needs from an agent, whichever one it is. */
export interface AgentHandle {
  /** Finished segments (SkyWalking) or spans (OpenTelemetry), counted inside the measured process. */
  produced(): number;
  /** Items the agent says it still holds (queued or in flight); undefined when it does not say. */
  backlog(): number | undefined;
  /** Delivers what is held, giving up after `timeoutMs`; never rejects. */
  flush(timeoutMs: number): Promise<void>;
  shutdown(timeoutMs: number): Promise<void>;
  /** Headers the workload sets on every request it sends (the floor's stand-in for a propagation header). */
  outgoingHeaders?: Readonly<Record<string, string>>;
}

export interface AgentStartOptions {
  serviceName: string;
  /** `host:port` of the receiver running in the parent process; empty for no agent. */
  collector: string;
}

export type StartAgent = (options: AgentStartOptions) => Promise<AgentHandle> | AgentHandle;

/** Settles after `promise` or after `timeoutMs`, whichever comes first, swallowing rejections. */
export async function settleWithin(
  promise: Promise<unknown> | null | undefined,
  timeoutMs: number,
) {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
    timer.unref();
  });
  await Promise.race([Promise.resolve(promise).catch(() => {}), deadline]);
  clearTimeout(timer);
}
