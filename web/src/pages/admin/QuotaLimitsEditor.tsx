import { Button, Group, NumberInput, Select, SimpleGrid, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import type { Schemas } from '../../api/client';
import { FormError, useFormError } from '../../components/form-error';

type QuotaLimits = Schemas['QuotaLimits'];
type QuotaName = keyof QuotaLimits;
type Mode = 'inherit' | 'unlimited' | 'limit';

/** Every quota a workspace has, in the order the API documents them, with the smallest limit each takes. */
export const quotaLabels: Record<QuotaName, { label: string; min: number }> = {
  sites: { label: 'Sites', min: 0 },
  analysesPerMonth: { label: 'Analyses per month', min: 0 },
  extractionPagesPerMonth: { label: 'Extraction pages per month', min: 0 },
  apiRequestsPerMinute: { label: 'API requests per minute (workspace)', min: 1 },
  apiRequestsPerMinutePerCaller: { label: 'API requests per minute (each user or key)', min: 1 },
};
const names = Object.keys(quotaLabels) as QuotaName[];

export function formatLimit(value: number | null | undefined): string {
  return value === null || value === undefined ? 'unlimited' : value.toLocaleString();
}

type Row = { mode: Mode; value: number | string };
const rowOf = (value: number | null | undefined): Row =>
  value === undefined ? { mode: 'inherit', value: '' } : value === null ? { mode: 'unlimited', value: '' } : { mode: 'limit', value };

/**
 * A layer of quotas (instance defaults, a plan, a workspace's overrides): each quota is left to the
 * layer below (`inherit`, i.e. not named), unlimited (null) or a whole number.
 */
export function QuotaLimitsEditor({
  value,
  inheritLabel,
  saveLabel,
  onSave,
}: {
  value: QuotaLimits;
  /** What leaving a quota out means at this layer. */
  inheritLabel: string;
  saveLabel: string;
  onSave: (limits: QuotaLimits) => Promise<unknown>;
}) {
  const [rows, setRows] = useState(() => Object.fromEntries(names.map((name) => [name, rowOf(value[name])])) as Record<QuotaName, Row>);
  const { error, capture } = useFormError();
  const [saving, setSaving] = useState(false);
  const set = (name: QuotaName, row: Partial<Row>) => setRows((current) => ({ ...current, [name]: { ...current[name], ...row } }));
  const limits = (): QuotaLimits | string => {
    const result: QuotaLimits = {};
    for (const name of names) {
      const row = rows[name];
      if (row.mode === 'unlimited') result[name] = null;
      if (row.mode === 'limit') {
        if (typeof row.value !== 'number') return `Enter a number for ${quotaLabels[name].label.toLowerCase()}`;
        result[name] = row.value;
      }
    }
    return result;
  };
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        setSaving(true);
        void capture(async () => {
          const next = limits();
          if (typeof next === 'string') throw new Error(next);
          await onSave(next);
        }).finally(() => setSaving(false));
      }}
    >
      <Stack gap="xs">
        {names.map((name) => (
          <SimpleGrid key={name} cols={{ base: 1, xs: 3 }} spacing="xs" verticalSpacing={4}>
            <Text size="sm" style={{ alignSelf: 'center' }}>
              {quotaLabels[name].label}
            </Text>
            <Select
              aria-label={`${quotaLabels[name].label}: kind`}
              allowDeselect={false}
              data={[
                { value: 'inherit', label: inheritLabel },
                { value: 'unlimited', label: 'Unlimited' },
                { value: 'limit', label: 'Limit' },
              ]}
              value={rows[name].mode}
              onChange={(mode) => set(name, { mode: (mode ?? 'inherit') as Mode })}
              comboboxProps={{ withinPortal: true }}
            />
            <NumberInput
              aria-label={quotaLabels[name].label}
              min={quotaLabels[name].min}
              allowDecimal={false}
              allowNegative={false}
              disabled={rows[name].mode !== 'limit'}
              value={rows[name].value}
              onChange={(number) => set(name, { value: number })}
            />
          </SimpleGrid>
        ))}
        <FormError error={error} />
        <Group>
          <Button type="submit" size="xs" loading={saving}>
            {saveLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
