import { Badge } from '@mantine/core';
import type { Schemas } from '../api/client';

const jobColors: Record<Schemas['Job']['status'], string> = {
  queued: 'gray',
  running: 'blue',
  succeeded: 'green',
  failed: 'red',
  cancelled: 'yellow',
};

const healthColors: Record<Schemas['SiteSummary']['health'], string> = {
  unknown: 'gray',
  healthy: 'green',
  degraded: 'orange',
  down: 'red',
};

const siteColors: Record<Schemas['SiteSummary']['status'], string> = {
  pending: 'gray',
  analyzing: 'blue',
  ready: 'green',
  failed: 'red',
};

type FieldMode = Schemas['BlueprintVersion']['content']['pageTypes'][number]['fields'][number]['mode'];

const modeColors: Record<FieldMode, string> = { heuristic: 'gray', example: 'teal', llm: 'grape', manual: 'orange' };

export function JobStatusBadge({ status }: { status: Schemas['Job']['status'] }) {
  return (
    <Badge color={jobColors[status]} variant="light">
      {status}
    </Badge>
  );
}

export function HealthBadge({ health }: { health: Schemas['SiteSummary']['health'] }) {
  return (
    <Badge color={healthColors[health]} variant="dot" aria-label={`health: ${health}`}>
      {health}
    </Badge>
  );
}

export function SiteStatusBadge({ status }: { status: Schemas['SiteSummary']['status'] }) {
  return (
    <Badge color={siteColors[status]} variant="light">
      {status}
    </Badge>
  );
}

export function ModeBadge({ mode }: { mode: FieldMode }) {
  return (
    <Badge color={modeColors[mode]} variant="outline" size="sm">
      {mode}
    </Badge>
  );
}
