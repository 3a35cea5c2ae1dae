import { Anchor, Badge, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { Schemas } from '../../../api/client';
import { EmptyState } from '../../../components/states';
import { PageTypeName } from './PageTypeName';

/** Technologies grouped by category, and the page types discovery found with sample URLs. */
export function FingerprintPanel({ site }: { site: Schemas['SiteDetail'] }) {
  const byCategory = new Map<string, NonNullable<Schemas['SiteDetail']['fingerprint']>['technologies']>();
  for (const technology of site.fingerprint?.technologies ?? []) {
    for (const category of technology.categories.length ? technology.categories : ['Other']) {
      byCategory.set(category, [...(byCategory.get(category) ?? []), technology]);
    }
  }
  const categories = [...byCategory.entries()].sort(([a], [b]) => a.localeCompare(b));
  return (
    <Stack gap="xl">
      <section aria-labelledby="technologies-heading">
        <Title order={2} size="h4" mb="sm" id="technologies-heading">
          Technologies
        </Title>
        {categories.length === 0 ? (
          <EmptyState title={site.fingerprint ? 'No technologies detected' : 'Not fingerprinted yet'}>
            {site.fingerprint ? 'None of the known signatures matched this site.' : 'The analysis fills this in when it runs.'}
          </EmptyState>
        ) : (
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
            {categories.map(([category, technologies]) => (
              <Card withBorder key={category} padding="sm">
                <Text size="xs" tt="uppercase" fw={700} c="dimmed" mb={6}>
                  {category}
                </Text>
                <Group gap={6}>
                  {technologies.map((technology) => (
                    <Badge key={technology.name} variant="light" color="gray" tt="none">
                      {technology.name}
                      {technology.version ? ` ${technology.version}` : ''}
                    </Badge>
                  ))}
                </Group>
              </Card>
            ))}
          </SimpleGrid>
        )}
      </section>
      <section aria-labelledby="page-types-heading">
        <Title order={2} size="h4" mb="sm" id="page-types-heading">
          Page types
        </Title>
        {!site.pageTypes?.length ? (
          <EmptyState title="No page types yet">Discovery groups the sampled pages by template when the analysis runs.</EmptyState>
        ) : (
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            {site.pageTypes.map((type) => (
              <Card withBorder key={type.name} padding="sm">
                <Group justify="space-between" mb={4} wrap="nowrap">
                  <PageTypeName name={type.name} label={type.label} />
                  <Group gap={4} wrap="nowrap">
                    <Badge variant="outline" size="sm">
                      {type.kind}
                    </Badge>
                    {type.dataType && (
                      <Badge variant="light" size="sm">
                        {type.dataType}
                      </Badge>
                    )}
                  </Group>
                </Group>
                {type.description && (
                  <Text size="sm" mb={4}>
                    {type.description}
                  </Text>
                )}
                <Text size="xs" c="dimmed" mb={6} style={{ overflowWrap: 'anywhere' }}>
                  {type.urlPattern} · {type.urls.length} page{type.urls.length === 1 ? '' : 's'}
                  {type.fields.length ? ` · fields: ${type.fields.map((field) => field.name).join(', ')}` : ''}
                </Text>
                <Stack gap={2}>
                  {type.urls.slice(0, 3).map((url) => (
                    <Anchor key={url} href={url} target="_blank" rel="noreferrer noopener" size="xs" style={{ overflowWrap: 'anywhere' }}>
                      {url}
                    </Anchor>
                  ))}
                </Stack>
              </Card>
            ))}
          </SimpleGrid>
        )}
      </section>
    </Stack>
  );
}
