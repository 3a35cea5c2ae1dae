import { Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { api, errorMessage, unwrap, type Schemas } from '../../../api/client';
import { confirmAction } from '../../../components/confirm';
import { SiteForm, siteFormValues, toSiteOptions } from '../SiteForm';

/** Edit the site's options, or delete it with everything it owns. */
export function SettingsPanel({ site }: { site: Schemas['SiteDetail'] }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const remove = () =>
    confirmAction({
      title: `Delete ${site.name}?`,
      message: 'Its blueprints, checks and running jobs go with it. This cannot be undone.',
      confirm: 'Delete site',
      onConfirm: async () => {
        try {
          await unwrap(api.DELETE('/api/v1/sites/{id}', { params: { path: { id: site.id } } }));
          notifications.show({ color: 'green', message: `${site.name} deleted` });
          void queryClient.invalidateQueries({ queryKey: ['sites'] });
          navigate('/sites');
        } catch (caught) {
          notifications.show({ color: 'red', title: 'Could not delete', message: errorMessage(caught) });
        }
      },
    });
  return (
    <Stack maw={900}>
      <SiteForm
        initial={siteFormValues(site)}
        withUrl={false}
        submitLabel="Save changes"
        onSubmit={async (values) => {
          const updated = await unwrap(api.PATCH('/api/v1/sites/{id}', { params: { path: { id: site.id } }, body: toSiteOptions(values) }));
          queryClient.setQueryData(['site', site.id], updated);
          notifications.show({ color: 'green', message: 'Site saved. Re-analyse to apply new fields or examples.' });
        }}
      />
      <Card withBorder padding="md" style={{ borderColor: 'var(--mantine-color-red-6)' }}>
        <Title order={2} size="h5">
          Delete this site
        </Title>
        <Group justify="space-between" mt="xs">
          <Text size="sm">Removes the site, its blueprint history, checks and jobs.</Text>
          <Button color="red" variant="light" onClick={remove}>
            Delete site
          </Button>
        </Group>
      </Card>
    </Stack>
  );
}
