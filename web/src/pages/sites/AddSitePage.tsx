import { Badge, Button, FileInput, Group, Paper, Stack, Table, Tabs, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconFileTypeCsv } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import Papa from 'papaparse';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { FormError, useFormError } from '../../components/form-error';
import { PageHeader } from '../../components/PageHeader';
import { SiteForm, siteFormValues, toSiteOptions } from './SiteForm';

const MAX_BATCH = 1000;

/** Rows of a CSV file: the `url` column (any case) or else the first one, with `name` when present. */
function sitesFromCsv(text: string): Array<{ url: string; name?: string }> {
  const { data } = Papa.parse<string[]>(text.trim(), { skipEmptyLines: true });
  if (!data.length) return [];
  const header = data[0]!.map((cell) => cell.trim().toLowerCase());
  const hasHeader = header.includes('url');
  const urlColumn = hasHeader ? header.indexOf('url') : 0;
  const nameColumn = hasHeader ? header.indexOf('name') : -1;
  return data
    .slice(hasHeader ? 1 : 0)
    .map((row) => ({
      url: row[urlColumn]?.trim() ?? '',
      ...(nameColumn >= 0 && row[nameColumn]?.trim() ? { name: row[nameColumn]!.trim() } : {}),
    }))
    .filter((site) => site.url);
}

function BulkAdd() {
  const queryClient = useQueryClient();
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [results, setResults] = useState<Schemas['SiteBatchResult']['results'] | null>(null);
  const { error, setError, capture } = useFormError();
  const [busy, setBusy] = useState(false);

  async function submit() {
    setError(null);
    setResults(null);
    const pasted = text
      .split(/[\n,;\s]+/)
      .map((line) => line.trim())
      .filter(Boolean)
      .map((url) => ({ url }));
    const fromFile = file ? sitesFromCsv(await file.text()) : [];
    const sites = [...pasted, ...fromFile];
    if (!sites.length) return setError('Paste at least one URL or choose a CSV file.');
    if (sites.length > MAX_BATCH) return setError(`At most ${MAX_BATCH} sites at once; this list has ${sites.length}.`);
    setBusy(true);
    await capture(async () => {
      const result = await unwrap(api.POST('/api/v1/sites/batch', { body: { sites } }));
      setResults(result.results);
      const created = result.results.filter((item) => item.status === 'created').length;
      notifications.show({ color: created ? 'green' : 'yellow', message: `${created} of ${sites.length} sites added` });
      void queryClient.invalidateQueries({ queryKey: ['sites'] });
      void queryClient.invalidateQueries({ queryKey: ['overview'] });
    });
    setBusy(false);
  }

  return (
    <Stack>
      <Textarea
        label="URLs"
        description="One per line (commas and spaces work too)"
        placeholder={'https://shop.example.com\nhttps://blog.example.org'}
        autosize
        minRows={5}
        value={text}
        onChange={(event) => setText(event.currentTarget.value)}
      />
      <FileInput
        label="…or a CSV file"
        description='A "url" column (and optionally "name"), or URLs in the first column'
        accept=".csv,text/csv"
        leftSection={<IconFileTypeCsv size={16} aria-hidden />}
        clearable
        value={file}
        onChange={setFile}
      />
      <FormError error={error} />
      <Group justify="flex-end">
        <Button onClick={() => void submit()} loading={busy}>
          Add sites
        </Button>
      </Group>
      {results && (
        <Table.ScrollContainer minWidth={420}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>URL</Table.Th>
                <Table.Th>Result</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {results.map((item, index) => (
                <Table.Tr key={`${item.url}-${index}`}>
                  <Table.Td>
                    <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                      {item.url}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge color={item.status === 'created' ? 'green' : item.status === 'duplicate' ? 'yellow' : 'red'} variant="light">
                      {item.status}
                    </Badge>
                    {item.error && (
                      <Text size="xs" c="dimmed">
                        {item.error}
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

export default function AddSitePage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  return (
    <>
      <PageHeader
        title="Add sites"
        description="Siteprint analyses each site right away: technologies, page types, selectors and a tested blueprint."
      />
      <Paper withBorder p="md" maw={900}>
        <Tabs defaultValue="one">
          <Tabs.List mb="md">
            <Tabs.Tab value="one">One site</Tabs.Tab>
            <Tabs.Tab value="many">Many sites</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="one">
            <SiteForm
              initial={siteFormValues()}
              withUrl
              submitLabel="Add and analyse"
              onSubmit={async (values) => {
                const created = await unwrap(api.POST('/api/v1/sites', { body: { url: values.url.trim(), ...toSiteOptions(values) } }));
                notifications.show({ color: 'green', message: `${created.site.name} added; analysis started` });
                void queryClient.invalidateQueries({ queryKey: ['sites'] });
                navigate(`/sites/${created.site.id}`);
              }}
            />
          </Tabs.Panel>
          <Tabs.Panel value="many">
            <BulkAdd />
          </Tabs.Panel>
        </Tabs>
      </Paper>
    </>
  );
}
