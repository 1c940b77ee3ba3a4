// What OAP's configuration discovery may change while the agent runs: the sample rate.
import type { DiagnosticLogger, Tracer } from '@windsock/core';
import type { ConfigurationUpdate } from '@windsock/transport';

/** `agent.sample_rate` from OAP: a share in [0, 1], or per 10,000 as SkyWalking agents commonly express it. */
export function parseSampleRate(raw: string): number | undefined {
  const value = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0) return undefined;
  if (value <= 1) return value;
  return value <= 10_000 ? value / 10_000 : undefined;
}

/** Applies the settings of one configuration update; a value it cannot read costs one diagnostic line. */
export function applyConfiguration(
  update: ConfigurationUpdate,
  tracer: Tracer,
  diagnostics: DiagnosticLogger,
): void {
  const raw = update.values['agent.sample_rate'];
  if (raw === undefined) return;
  const rate = parseSampleRate(raw);
  if (rate === undefined) {
    diagnostics.warn(
      'cds:sample_rate',
      `ignored agent.sample_rate=${JSON.stringify(raw)} from configuration discovery`,
    );
    return;
  }
  tracer.setSampleRate(rate);
  diagnostics.info('cds:sample_rate', `sample rate set to ${rate} by configuration discovery`);
}
