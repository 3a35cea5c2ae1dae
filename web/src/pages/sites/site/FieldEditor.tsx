import { ActionIcon, Button, Checkbox, Fieldset, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { IconArrowUp, IconPlus, IconTrash } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../../api/client';
import { confirmAction } from '../../../components/confirm';
import { FormError, useFormError } from '../../../components/form-error';
import type { BlueprintContent, BlueprintField, BlueprintSource } from './values';

/** Which field is being edited: on the page itself, or on each record of a listing. */
export interface FieldRef {
  pageType: string;
  scope: 'page' | 'item';
  field: string;
}

type SourceKind = 'css' | 'jsonld' | 'json' | 'meta' | 'label';

const kinds: Array<{ value: SourceKind; label: string }> = [
  { value: 'css', label: 'CSS selector' },
  { value: 'jsonld', label: 'JSON-LD path' },
  { value: 'json', label: 'Embedded JSON path' },
  { value: 'meta', label: 'Meta tag' },
  { value: 'label', label: 'Label text' },
];

const valueLabels: Record<SourceKind, { label: string; placeholder: string }> = {
  css: { label: 'Selector', placeholder: 'h1.product-title' },
  jsonld: { label: 'Path', placeholder: 'offers.price' },
  json: { label: 'Path', placeholder: 'props.pageProps.product.price' },
  meta: { label: 'Meta name', placeholder: 'og:title' },
  label: { label: 'Labels (separate with |)', placeholder: 'isbn | isbn 13' },
};

/**
 * A source as the form edits it. Post-processing the form does not show (transforms, split,
 * a JSON-LD type, an embedded state's script name) is carried along untouched so an edit never drops it silently.
 */
interface SourceDraft {
  kind: SourceKind;
  value: string;
  read: string;
  regex: string;
  kept: Pick<BlueprintSource, 'transforms' | 'split'> & { type?: string; script?: string };
}

function toDraft(source: BlueprintSource): SourceDraft {
  const kept = { transforms: source.transforms, split: source.split };
  const common = { regex: source.regex ?? '', read: 'text' };
  if ('css' in source) return { ...common, kind: 'css', value: source.css, read: source.read ?? 'text', kept };
  if ('jsonld' in source) return { ...common, kind: 'jsonld', value: source.jsonld, kept: { ...kept, type: source.type } };
  if ('json' in source) return { ...common, kind: 'json', value: source.json, kept: { ...kept, script: source.script } };
  if ('meta' in source) return { ...common, kind: 'meta', value: source.meta, kept };
  return { ...common, kind: 'label', value: source.label.join(' | '), kept };
}

function fromDraft(draft: SourceDraft): BlueprintSource {
  const value = draft.value.trim();
  const post = {
    ...(draft.regex ? { regex: draft.regex } : {}),
    ...(draft.kept.transforms?.length ? { transforms: draft.kept.transforms } : {}),
    ...(draft.kept.split ? { split: draft.kept.split } : {}),
  };
  switch (draft.kind) {
    case 'css':
      return { css: value, ...(draft.read !== 'text' ? { read: draft.read } : {}), ...post };
    case 'jsonld':
      return { jsonld: value, ...(draft.kept.type ? { type: draft.kept.type } : {}), ...post };
    case 'json':
      return { json: value, ...(draft.kept.script ? { script: draft.kept.script } : {}), ...post };
    case 'meta':
      return { meta: value, ...post };
    case 'label':
      return {
        label: value
          .split('|')
          .map((label) => label.trim())
          .filter(Boolean),
        ...post,
      };
  }
}

function regexProblem(pattern: string): string | null {
  try {
    new RegExp(pattern);
    return null;
  } catch {
    return 'Not a valid regular expression';
  }
}

/** The blueprint's page types with one field replaced by `next`, or removed when `next` is null. */
function withField(content: BlueprintContent, ref: FieldRef, next: BlueprintField | null): BlueprintContent['pageTypes'] {
  const replace = (fields: BlueprintField[]) =>
    next ? fields.map((field) => (field.name === ref.field ? next : field)) : fields.filter((field) => field.name !== ref.field);
  return content.pageTypes.map((pageType) => {
    if (pageType.name !== ref.pageType) return pageType;
    if (ref.scope === 'page') return { ...pageType, fields: replace(pageType.fields) };
    return pageType.list ? { ...pageType, list: { ...pageType.list, fields: replace(pageType.list.fields) } } : pageType;
  });
}

export function findField(content: BlueprintContent, ref: FieldRef): BlueprintField | undefined {
  const pageType = content.pageTypes.find((candidate) => candidate.name === ref.pageType);
  const fields = ref.scope === 'page' ? pageType?.fields : pageType?.list?.fields;
  return fields?.find((field) => field.name === ref.field);
}

/**
 * Edits where one field is read (its sources, in order) or removes the field. The server tests
 * the edited blueprint on the site's sampled pages and saves it as a new version only if it passes;
 * when it does not, the reason is shown here and nothing changes.
 */
export function FieldEditor({
  siteId,
  content,
  target,
  onClose,
}: {
  siteId: string;
  content: BlueprintContent;
  target: FieldRef | null;
  onClose: () => void;
}) {
  const field = target ? findField(content, target) : undefined;
  return (
    <Modal opened={Boolean(field)} onClose={onClose} title={field ? `Edit field ${field.name}` : ''} size="lg">
      {target && field && (
        <FieldForm
          key={`${target.pageType}/${target.scope}/${target.field}`}
          siteId={siteId}
          content={content}
          target={target}
          field={field}
          onDone={onClose}
        />
      )}
    </Modal>
  );
}

function FieldForm({
  siteId,
  content,
  target,
  field,
  onDone,
}: {
  siteId: string;
  content: BlueprintContent;
  target: FieldRef;
  field: BlueprintField;
  onDone: () => void;
}) {
  const queryClient = useQueryClient();
  const { error, capture } = useFormError();
  const form = useForm({
    initialValues: { required: field.required, sources: field.sources.map(toDraft) },
    validate: {
      sources: {
        value: (value) => (value.trim() ? null : 'Required'),
        read: (read, values, path) =>
          values.sources[Number(path.split('.')[1])]?.kind !== 'css' || /^(text|ownText|html|attr:\S+)$/.test(read)
            ? null
            : 'text, ownText, html or attr:<name>',
        regex: (regex) => (regex ? regexProblem(regex) : null),
      },
    },
  });

  const save = (pageTypes: BlueprintContent['pageTypes']) =>
    capture(async () => {
      const result = await unwrap(api.PATCH('/api/v1/sites/{id}/blueprint', { params: { path: { id: siteId } }, body: { pageTypes } }));
      notifications.show({
        color: result.created ? 'green' : 'gray',
        message: result.created ? `Saved as version ${result.version}` : 'Nothing changed: the blueprint already reads the field this way',
      });
      await queryClient.invalidateQueries({ queryKey: ['site', siteId] });
      onDone();
    });

  const submit = form.onSubmit((values) => {
    if (values.sources.length === 0) {
      form.setFieldError('sources', 'Add at least one source, or remove the field');
      return;
    }
    void save(withField(content, target, { ...field, required: values.required, sources: values.sources.map(fromDraft) }));
  });

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <Text size="sm" c="dimmed">
          Sources are tried in order; the first that yields a value wins. Saving tests the blueprint on the site&apos;s sampled pages.
        </Text>
        {form.values.sources.map((source, index) => (
          <Fieldset key={form.key(`sources.${index}`)} legend={`Source ${index + 1}`}>
            <Stack gap="xs">
              <Group grow align="flex-start" preventGrowOverflow={false} wrap="wrap">
                <Select label="Kind" data={kinds} allowDeselect={false} miw={140} {...form.getInputProps(`sources.${index}.kind`)} />
                <TextInput
                  label={valueLabels[source.kind].label}
                  placeholder={valueLabels[source.kind].placeholder}
                  miw={200}
                  {...form.getInputProps(`sources.${index}.value`)}
                />
              </Group>
              <Group grow align="flex-start" preventGrowOverflow={false} wrap="wrap">
                {source.kind === 'css' && (
                  <TextInput
                    label="Read"
                    description="text, ownText, html or attr:<name>"
                    miw={140}
                    {...form.getInputProps(`sources.${index}.read`)}
                  />
                )}
                <TextInput
                  label="Regular expression"
                  description="Optional; keeps the first capture group"
                  miw={200}
                  {...form.getInputProps(`sources.${index}.regex`)}
                />
              </Group>
              <Group gap="xs" justify="flex-end">
                {index > 0 && (
                  <ActionIcon
                    variant="subtle"
                    aria-label={`Try source ${index + 1} earlier`}
                    onClick={() => form.reorderListItem('sources', { from: index, to: index - 1 })}
                  >
                    <IconArrowUp size={16} />
                  </ActionIcon>
                )}
                <ActionIcon
                  variant="subtle"
                  color="red"
                  aria-label={`Remove source ${index + 1}`}
                  onClick={() => form.removeListItem('sources', index)}
                >
                  <IconTrash size={16} />
                </ActionIcon>
              </Group>
            </Stack>
          </Fieldset>
        ))}
        {form.errors.sources && (
          <Text size="sm" c="var(--mantine-color-error)" role="alert">
            {form.errors.sources}
          </Text>
        )}
        <Group>
          <Button
            variant="default"
            size="xs"
            leftSection={<IconPlus size={14} />}
            onClick={() =>
              form.insertListItem('sources', { kind: 'css', value: '', read: 'text', regex: '', kept: {} } satisfies SourceDraft)
            }
          >
            Add source
          </Button>
        </Group>
        <Checkbox label="Required: every page of this type must have a value" {...form.getInputProps('required', { type: 'checkbox' })} />
        <FormError error={error} />
        <Group justify="space-between">
          <Button
            variant="subtle"
            color="red"
            onClick={() =>
              confirmAction({
                title: `Remove field ${field.name}?`,
                message: 'The blueprint stops extracting it. The current version stays in the history, so you can roll back.',
                confirm: 'Remove field',
                onConfirm: () => save(withField(content, target, null)),
              })
            }
          >
            Remove field
          </Button>
          <Button type="submit">Save as new version</Button>
        </Group>
      </Stack>
    </form>
  );
}
