// A reader for OAP meter-analyzer-config files, strict enough to test oap/windsock.yaml without a YAML dependency:
// it accepts only the subset those files use (top-level `key: value`, and `metricsRules` as a list of `name`/`exp`
// maps, comments on their own lines) and throws on anything else, so what it reads is what a YAML parser reads.
// Expressions are checked against the MAL functions OAP documents (docs/en/concepts-and-designs/mal.md).

export interface MetricsRule {
  name: string;
  exp: string;
}

export interface RuleFile {
  expSuffix?: string;
  metricPrefix?: string;
  metricsRules: MetricsRule[];
}

const TOP_LEVEL_KEYS = new Set(['initExp', 'filter', 'expPrefix', 'expSuffix', 'metricPrefix']);
const RULE_KEYS = new Set(['name', 'exp']);

/**
 * A plain YAML scalar as these files write it. Anything YAML would read differently (a quote, a flow collection,
 * an anchor, a block scalar, an inline comment, a `key: value` inside) is refused rather than guessed at.
 */
function plainScalar(text: string, line: number): string {
  const value = text.trim();
  if (value === '') throw new Error(`line ${line}: empty value`);
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(value))
    throw new Error(`line ${line}: "${value}" starts with a YAML indicator`);
  if (value.includes(' #') || value.includes(': ') || value.endsWith(':'))
    throw new Error(`line ${line}: "${value}" is not a plain scalar`);
  return value;
}

export function parseRuleFile(text: string): RuleFile {
  const file: RuleFile = { metricsRules: [] };
  let inRules = false;
  let rule: Partial<MetricsRule> | undefined;
  const finishRule = (line: number): void => {
    if (rule === undefined) return;
    if (rule.name === undefined || rule.exp === undefined)
      throw new Error(`line ${line}: a rule needs a name and an exp`);
    file.metricsRules.push(rule as MetricsRule);
    rule = undefined;
  };
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.includes('\t')) throw new Error(`line ${line}: tab`);
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const indent = raw.length - raw.trimStart().length;
    if (indent === 0) {
      finishRule(line);
      const match = /^([A-Za-z]+):(?: (.*))?$/.exec(raw);
      if (match === null) throw new Error(`line ${line}: expected "key: value"`);
      const [, key, value] = match as unknown as [string, string, string | undefined];
      if (key === 'metricsRules') {
        if (value !== undefined) throw new Error(`line ${line}: metricsRules must be a list`);
        inRules = true;
        return;
      }
      if (!TOP_LEVEL_KEYS.has(key)) throw new Error(`line ${line}: unknown key ${key}`);
      if (value === undefined) throw new Error(`line ${line}: ${key} needs a value`);
      inRules = false;
      (file as unknown as Record<string, string>)[key] = plainScalar(value, line);
      return;
    }
    if (!inRules) throw new Error(`line ${line}: indented line outside metricsRules`);
    let body: string;
    if (indent === 2 && trimmed.startsWith('- ')) {
      finishRule(line);
      rule = {};
      body = trimmed.slice(2);
    } else if (indent === 4 && rule !== undefined) {
      body = trimmed;
    } else {
      throw new Error(`line ${line}: unexpected indentation`);
    }
    const match = /^([A-Za-z]+): (.*)$/.exec(body);
    if (match === null) throw new Error(`line ${line}: expected "key: value"`);
    const [, key, value] = match as unknown as [string, string, string];
    if (!RULE_KEYS.has(key)) throw new Error(`line ${line}: unknown rule key ${key}`);
    if ((rule as Record<string, string>)[key] !== undefined)
      throw new Error(`line ${line}: ${key} twice`);
    (rule as Record<string, string>)[key] = plainScalar(value, line);
  });
  finishRule(lines.length);
  return file;
}

export interface Call {
  name: string;
  args: string;
}

export interface Expression {
  /** The sample family the expression reads: a meter name as the agent sends it. */
  meter: string;
  calls: Call[];
  /** Labels kept by the last aggregation (`sum`, `max`, ...), if there is one. */
  aggregatedBy?: string[];
}

const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg']);
const WINDOWS = new Set(['increase', 'rate', 'irate']);
const LABEL_LIST = /^\[\s*'[a-z_]+'(?:\s*,\s*'[a-z_]+')*\s*\]$/;
// ISO-8601 durations of time, as MAL's increase/rate take them: 'PT1M', 'PT15S', 'PT1H30M'.
const DURATION = /^'PT(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?'$/;

/** One rule's `exp`: a meter name followed by MAL calls, as `name.sum(['a', 'b']).increase('PT1M')`. */
export function parseExpression(exp: string): Expression {
  const head = /^[a-z][a-z0-9_]*/.exec(exp);
  if (head === null) throw new Error(`"${exp}" does not start with a meter name`);
  const expression: Expression = { meter: head[0], calls: [] };
  let rest = exp.slice(head[0].length);
  while (rest !== '') {
    const call = /^\.([A-Za-z_]+)\(([^()]*)\)/.exec(rest);
    if (call === null) throw new Error(`"${exp}": cannot read "${rest}"`);
    const [whole, name, args] = call as unknown as [string, string, string];
    if (AGGREGATIONS.has(name)) {
      const list = args.replace(/^by\s*=\s*/, '');
      if (!LABEL_LIST.test(list)) throw new Error(`"${exp}": ${name} takes a list of labels`);
      expression.aggregatedBy = [...list.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]!);
    } else if (WINDOWS.has(name)) {
      if (!DURATION.test(args.trim())) throw new Error(`"${exp}": ${name} takes a duration`);
    } else {
      throw new Error(`"${exp}": ${name} is not a MAL function this file should need`);
    }
    expression.calls.push({ name, args });
    rest = rest.slice(whole.length);
  }
  return expression;
}
