import { ActionIcon, Button, Fieldset, Group, NumberInput, Select, SimpleGrid, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import type { Schemas } from '../../api/client';
import { FormError, useFormError } from '../../components/form-error';

type FieldType = NonNullable<Schemas['NewSite']['fields']>[number]['type'];
const fieldTypes: NonNullable<FieldType>[] = ['text', 'number', 'money', 'date', 'url', 'image', 'html', 'availability', 'identifier'];

export interface SiteFormValues {
  url: string;
  name: string;
  fields: Array<{ name: string; description: string; type: NonNullable<FieldType> }>;
  examples: Array<{ url: string; values: string }>;
  render: 'auto' | 'never' | 'always';
  maxPages: number;
  schedule: string;
}

/** `Title: Dune` lines → { Title: 'Dune' }; what people type for example values. */
function parseValues(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf(':');
    if (at > 0 && line.slice(at + 1).trim()) values[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return values;
}

function formatValues(values: Record<string, string | string[]>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.join(', ') : value}`)
    .join('\n');
}

/** The request body for the site API: empty optional inputs are left out, not sent blank. */
export function toSiteOptions(values: SiteFormValues): Omit<Schemas['NewSite'], 'url'> {
  const fields = values.fields.filter((field) => field.name.trim());
  const examples = values.examples.filter((example) => example.url.trim());
  return {
    ...(values.name.trim() ? { name: values.name.trim() } : {}),
    ...(fields.length
      ? {
          fields: fields.map((field) => ({
            name: field.name.trim(),
            type: field.type,
            ...(field.description.trim() ? { description: field.description.trim() } : {}),
          })),
        }
      : {}),
    ...(examples.length ? { examples: examples.map((example) => ({ url: example.url.trim(), values: parseValues(example.values) })) } : {}),
    render: values.render,
    maxPages: values.maxPages,
    schedule: values.schedule.trim() || null,
  };
}

export function siteFormValues(site?: Schemas['SiteDetail']): SiteFormValues {
  return {
    url: site?.url ?? '',
    name: site?.name ?? '',
    fields: (site?.options.fields ?? []).map((field) => ({
      name: field.name,
      description: field.description ?? '',
      type: field.type ?? 'text',
    })),
    examples: (site?.options.examples ?? []).map((example) => ({ url: example.url, values: formatValues(example.values) })),
    render: site?.options.render ?? 'auto',
    maxPages: site?.options.maxPages ?? 30,
    schedule: site ? (site.schedule ?? '') : 'every 1d',
  };
}

/**
 * Adding or editing a site: the URL (when adding), the fields wanted with descriptions,
 * example values to learn from, render mode and check schedule. A failed submission is shown
 * above the form.
 */
export function SiteForm({
  initial,
  withUrl,
  submitLabel,
  onSubmit,
}: {
  initial: SiteFormValues;
  withUrl: boolean;
  submitLabel: string;
  onSubmit: (values: SiteFormValues) => Promise<void>;
}) {
  const { error, capture } = useFormError();
  const form = useForm<SiteFormValues>({
    initialValues: initial,
    validate: {
      url: (value) => (!withUrl || /^https?:\/\/\S+$/i.test(value.trim()) ? null : 'Enter an http:// or https:// address'),
      fields: { name: (value, values) => (value.trim() || values.fields.length === 0 ? null : 'Name the field or remove it') },
      examples: { url: (value) => (!value.trim() || /^https?:\/\/\S+$/i.test(value.trim()) ? null : 'Enter the page address') },
    },
  });

  return (
    <form onSubmit={form.onSubmit((values) => capture(() => onSubmit(values)))}>
      <Stack>
        <FormError error={error} />
        {withUrl && <TextInput label="Website URL" placeholder="https://shop.example.com" required {...form.getInputProps('url')} />}
        <TextInput label="Name" description="Defaults to the site's host name" {...form.getInputProps('name')} />
        <Fieldset legend="Fields to extract (optional)">
          <Text size="xs" c="dimmed" mb="xs">
            Without fields, discovery proposes them from the site's pages.
          </Text>
          <Stack gap="xs">
            {form.values.fields.map((_, index) => (
              <Group key={index} align="flex-end" gap="xs" wrap="wrap">
                <TextInput
                  label="Field"
                  placeholder="price"
                  style={{ flex: '1 1 120px' }}
                  {...form.getInputProps(`fields.${index}.name`)}
                />
                <Select label="Type" data={fieldTypes} allowDeselect={false} w={110} {...form.getInputProps(`fields.${index}.type`)} />
                <TextInput
                  label="Description"
                  placeholder="Price incl. VAT"
                  style={{ flex: '2 1 160px' }}
                  {...form.getInputProps(`fields.${index}.description`)}
                />
                <ActionIcon
                  variant="subtle"
                  color="red"
                  size="lg"
                  aria-label={`Remove field ${index + 1}`}
                  onClick={() => form.removeListItem('fields', index)}
                >
                  <IconTrash size={16} />
                </ActionIcon>
              </Group>
            ))}
            <Button
              variant="light"
              size="xs"
              leftSection={<IconPlus size={14} />}
              onClick={() => form.insertListItem('fields', { name: '', description: '', type: 'text' })}
              w="fit-content"
            >
              Add field
            </Button>
          </Stack>
        </Fieldset>
        <Fieldset legend="Example values (optional)">
          <Text size="xs" c="dimmed" mb="xs">
            A page and the values you expect on it, one "field: value" per line. Selectors are learned from them.
          </Text>
          <Stack gap="xs">
            {form.values.examples.map((_, index) => (
              <Group key={index} align="flex-start" gap="xs" wrap="wrap">
                <TextInput label="Page URL" style={{ flex: '1 1 200px' }} {...form.getInputProps(`examples.${index}.url`)} />
                <Textarea
                  label="Values"
                  placeholder={'title: Dune\nprice: 9.99'}
                  autosize
                  minRows={2}
                  style={{ flex: '1 1 200px' }}
                  {...form.getInputProps(`examples.${index}.values`)}
                />
                <ActionIcon
                  variant="subtle"
                  color="red"
                  size="lg"
                  mt={24}
                  aria-label={`Remove example ${index + 1}`}
                  onClick={() => form.removeListItem('examples', index)}
                >
                  <IconTrash size={16} />
                </ActionIcon>
              </Group>
            ))}
            <Button
              variant="light"
              size="xs"
              leftSection={<IconPlus size={14} />}
              onClick={() => form.insertListItem('examples', { url: '', values: '' })}
              w="fit-content"
            >
              Add example
            </Button>
          </Stack>
        </Fieldset>
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <Select
            label="Render pages"
            description="In a browser, for sites built in JavaScript"
            allowDeselect={false}
            data={[
              { value: 'auto', label: 'Automatically' },
              { value: 'never', label: 'Never' },
              { value: 'always', label: 'Always' },
            ]}
            {...form.getInputProps('render')}
          />
          <NumberInput
            label="Pages to sample"
            description="Sampled to learn the site's page types"
            min={1}
            max={200}
            {...form.getInputProps('maxPages')}
          />
          <TextInput
            label="Health checks"
            description='"every 6h", a cron expression, or empty for none'
            {...form.getInputProps('schedule')}
          />
        </SimpleGrid>
        <Group justify="flex-end">
          <Button type="submit" loading={form.submitting}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
