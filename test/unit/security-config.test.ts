import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/index.js';
import { describeConfig } from '../../src/config/describe-config.js';

const DEFAULT_KEYS = ['authorization', 'cookie', 'set-cookie', 'proxy-authorization', 'x-api-key', 'password', 'secret', 'token'];

describe('resolveConfig: redact', () => {
  it('redacts the known secret keys by default, with no value patterns', () => {
    const { config } = resolveConfig({}, {});
    expect(config.redaction).toEqual({ keys: DEFAULT_KEYS, patterns: [] });
  });

  it('redact.keys and redact.patterns add to the defaults; built-in names become patterns', () => {
    const custom = /card-\d{4}/;
    const { config, errors } = resolveConfig({ redact: { keys: ['Card_Number'], patterns: ['jwt', custom] } }, {});
    expect(errors).toEqual([]);
    const redaction = config.redaction as Exclude<typeof config.redaction, false>;
    expect(redaction.keys).toEqual([...DEFAULT_KEYS, 'card_number']);
    expect(redaction.patterns.map((p) => p.source)).toEqual([expect.stringContaining('eyJ'), 'card-\\d{4}']);
    expect(redaction.patterns.every((p) => p.flags.includes('g'))).toBe(true);
  });

  it('redact: false turns redaction off', () => {
    expect(resolveConfig({ redact: false }, { TRACEWIRE_REDACT_KEYS: 'x' }).config.redaction).toBe(false);
  });

  it('reports bad redact options in code', () => {
    const { errors } = resolveConfig({ redact: { keys: [''], patterns: ['ssn' as never], other: 1 } as never }, {});
    expect(errors).toEqual([
      expect.stringContaining('redact.keys'),
      expect.stringContaining('redact.patterns'),
      expect.stringContaining('redact.other: unknown option'),
    ]);
  });
});

describe('resolveConfig: TRACEWIRE_REDACT_KEYS', () => {
  it('adds comma-separated keys, lower-cased and trimmed, to the defaults and to code keys', () => {
    const { config } = resolveConfig({ redact: { keys: ['pin'] } }, { TRACEWIRE_REDACT_KEYS: ' IBAN , session-id ,' });
    expect((config.redaction as { keys: readonly string[] }).keys).toEqual([...DEFAULT_KEYS, 'pin', 'iban', 'session-id']);
  });
});

describe('resolveConfig: TRACEWIRE_REDACT_PATTERNS', () => {
  it('turns on built-in patterns by name, case-insensitively', () => {
    const { config, warnings } = resolveConfig({}, { TRACEWIRE_REDACT_PATTERNS: 'Bearer,email' });
    expect(warnings).toEqual([]);
    expect((config.redaction as { patterns: readonly RegExp[] }).patterns).toHaveLength(2);
  });

  it('warns about unknown names, naming the variable, the value and what is used', () => {
    const { config, warnings } = resolveConfig({}, { TRACEWIRE_REDACT_PATTERNS: 'jwt,ssn' });
    expect((config.redaction as { patterns: readonly RegExp[] }).patterns).toHaveLength(1);
    expect(warnings).toEqual([expect.stringMatching(/^TRACEWIRE_REDACT_PATTERNS="jwt,ssn" .*ssn.*; using jwt\.$/)]);
  });
});

describe('resolveConfig: propagateTo / TRACEWIRE_PROPAGATE_TO', () => {
  it('propagates everywhere by default', () => {
    expect(resolveConfig({}, {}).config.propagateTo).toBeNull();
  });

  it('accepts URL prefixes, host names and RegExps in code, and rejects anything else', () => {
    const re = /^https:\/\/api\./;
    expect(resolveConfig({ propagateTo: ['https://api.internal:8443/v1', '*.svc.cluster.local', re] }, {}).config.propagateTo).toEqual([
      'https://api.internal:8443/v1',
      '*.svc.cluster.local',
      re,
    ]);
    expect(resolveConfig({ propagateTo: ['ftp://x', 'not a host'] }, {}).errors).toEqual([expect.stringContaining('propagateTo')]);
  });

  it('reads a comma-separated list; bad entries warn and are left out (they get no context)', () => {
    const { config, warnings } = resolveConfig({}, { TRACEWIRE_PROPAGATE_TO: 'http://127.0.0.1:8080, *.internal, ftp://x' });
    expect(config.propagateTo).toEqual(['http://127.0.0.1:8080', '*.internal']);
    expect(warnings).toEqual([
      expect.stringMatching(/^TRACEWIRE_PROPAGATE_TO=.*ftp:\/\/x.*using only http:\/\/127\.0\.0\.1:8080, \*\.internal\.$/),
    ]);
  });

  it('code wins over the environment', () => {
    expect(resolveConfig({ propagateTo: ['a.internal'] }, { TRACEWIRE_PROPAGATE_TO: 'b.internal' }).config.propagateTo).toEqual([
      'a.internal',
    ]);
  });
});

describe.each([
  ['CERTIFICATE', 'certificate'],
  ['CLIENT_CERTIFICATE', 'clientCertificate'],
  ['CLIENT_KEY', 'clientKey'],
] as const)('resolveConfig: OTEL_EXPORTER_OTLP_%s', (suffix, key) => {
  it('reads the traces-specific variable first, then the general one, and remembers which', () => {
    const general = `OTEL_EXPORTER_OTLP_${suffix}`;
    const specific = `OTEL_EXPORTER_OTLP_TRACES_${suffix}`;
    expect(resolveConfig({}, { [general]: '/etc/a.pem' }).config.tls[key]).toEqual({ path: '/etc/a.pem', from: general });
    expect(resolveConfig({}, { [general]: '/etc/a.pem', [specific]: '/etc/b.pem' }).config.tls[key]).toEqual({
      path: '/etc/b.pem',
      from: specific,
    });
    expect(resolveConfig({ [key]: 'c.pem' }, { [specific]: '/etc/b.pem' }).config.tls[key]).toEqual({ path: 'c.pem', from: key });
    expect(resolveConfig({}, { [general]: ' ' }).config.tls[key]).toBeUndefined();
  });
});

describe('resolveConfig: credentials in URL-valued settings', () => {
  const PASSWORD = 'PASSWORD-91f';
  it('are masked in every warning, every error and the printed configuration, valid URL or not', () => {
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: `ftp://user:${PASSWORD}@collector:4318`,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `user:${PASSWORD}@collector:4318/v1/traces`,
      OTEL_TRACES_SAMPLER: 'jaeger_remote',
      OTEL_TRACES_SAMPLER_ARG: `endpoint=http//user:${PASSWORD}@jaeger:5778,colour=http://u:${PASSWORD}@x`,
      TRACEWIRE_PROPAGATE_TO: `https://user:${PASSWORD}@api.internal,ftp://user:${PASSWORD}@files`,
    };
    const fromEnv = resolveConfig({}, env);
    expect(fromEnv.warnings).toHaveLength(5);
    expect(fromEnv.warnings.join('\n')).not.toContain(PASSWORD);
    expect(fromEnv.warnings.join('\n')).toContain(
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="***@collector:4318/v1/traces" is not an http(s) URL',
    );
    expect(describeConfig(fromEnv.config)).not.toContain(PASSWORD);
    expect(describeConfig(fromEnv.config)).toContain('"https://***@api.internal"');

    const fromCode = resolveConfig(
      { endpoint: `user:${PASSWORD}@collector`, sampler: 'jaeger_remote', samplerArg: { endpoint: `ftp://u:${PASSWORD}@jaeger` } },
      {},
    );
    expect(fromCode.errors).toHaveLength(2);
    expect(fromCode.errors.join('\n')).not.toContain(PASSWORD);

    const valid = resolveConfig(
      {
        tracesEndpoint: `https://user:${PASSWORD}@collector/v1/traces`,
        sampler: 'jaeger_remote',
        samplerArg: { endpoint: `http://u:${PASSWORD}@jaeger:5778` },
      },
      {},
    );
    expect(valid.config.tracesEndpoint).toContain(PASSWORD); // used as given: the exporter sends it as Basic authorization
    expect(describeConfig(valid.config)).not.toContain(PASSWORD);
    expect(describeConfig(valid.config)).toContain('"tracesEndpoint": "https://***@collector/v1/traces"');
  });
});
