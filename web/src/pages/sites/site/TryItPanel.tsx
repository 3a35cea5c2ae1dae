import { Alert, Button, Code, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { api, errorMessage, unwrap, type Schemas } from '../../../api/client';
import { EmptyState } from '../../../components/states';
import { useActiveBlueprint } from './useActiveBlueprint';
import { describeSource, displayValue, typedValueText } from './values';

/** Runs the active blueprint on any page of the site and shows what it extracts. */
export function TryItPanel({ site }: { site: Schemas['SiteDetail'] }) {
  const [typed, setUrl] = useState<string | null>(null);
  const extract = useMutation({
    mutationFn: (target: string) =>
      unwrap(api.POST('/api/v1/sites/{id}/extract', { params: { path: { id: site.id } }, body: { urls: [target] } })),
  });
  const blueprint = useActiveBlueprint(site);
  // Until one is typed, a page the blueprint was made from: one its page types claim.
  const url = typed ?? blueprint.data?.content.pageTypes[0]?.match.examples[0] ?? site.url;
  const result = extract.data?.results[0];
  const pageType = blueprint.data?.content.pageTypes.find((type) => type.name === result?.pageType);
  const fields = [...(pageType?.fields ?? []), ...(pageType?.list?.fields ?? [])];
  /** The source that produced a field, as the blueprint tab shows it. */
  const sourceOf = (field: string) => {
    const index = result?.sources[field];
    const source = index === null || index === undefined ? undefined : fields.find((candidate) => candidate.name === field)?.sources[index];
    return source ? describeSource(source) : null;
  };
  if (!site.activeBlueprint)
    return <EmptyState title="No blueprint to try yet">Once the analysis saves a blueprint, you can run it on any page here.</EmptyState>;
  return (
    <Stack>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          extract.mutate(url.trim());
        }}
      >
        <Group align="flex-end" gap="xs">
          <TextInput
            label="Page URL"
            value={url}
            onChange={(event) => setUrl(event.currentTarget.value)}
            style={{ flex: '1 1 240px' }}
            required
            type="url"
          />
          <Button type="submit" loading={extract.isPending}>
            Extract
          </Button>
        </Group>
      </form>
      {extract.isError && (
        <Alert color="red" role="alert">
          {errorMessage(extract.error)}
        </Alert>
      )}
      {result?.error && (
        <Alert color="orange" role="alert">
          {result.error}
        </Alert>
      )}
      {result && !result.error && (
        <>
          <Text size="sm" c="dimmed">
            Page type: {result.pageType ?? 'none matched'}
          </Text>
          <Table.ScrollContainer minWidth={480}>
            <Table aria-label="Extracted values" striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Field</Table.Th>
                  <Table.Th>Value</Table.Th>
                  <Table.Th>Typed</Table.Th>
                  <Table.Th>Read from</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {Object.entries(result.data).map(([field, value]) => (
                  <Table.Tr key={field}>
                    <Table.Td fw={500}>{field}</Table.Td>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>{displayValue(value)}</Table.Td>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>{typedValueText(result.typed.fields[field])}</Table.Td>
                    <Table.Td>
                      {sourceOf(field) ? <Code style={{ whiteSpace: 'normal', overflowWrap: 'anywhere' }}>{sourceOf(field)}</Code> : '—'}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </>
      )}
    </Stack>
  );
}
