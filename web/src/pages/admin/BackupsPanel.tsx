import { Button, Group, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDatabaseExport, IconDownload } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, errorMessage, unwrap } from '../../api/client';
import { downloadFile } from '../../components/download';
import { formatBytes, formatDateTime } from '../../components/format';
import { EmptyState, QueryState } from '../../components/states';

/** Backups in the backup directory, the schedule that writes them, a button to take one now and downloads. */
export function BackupsPanel() {
  const queryClient = useQueryClient();
  const [downloading, setDownloading] = useState<string | null>(null);
  const backups = useQuery({ queryKey: ['admin', 'backups'], queryFn: () => unwrap(api.GET('/api/v1/admin/backups')) });
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/admin/backups')),
    onSuccess: (backup) => {
      notifications.show({ color: 'green', message: `Backup ${backup.name} written` });
      void queryClient.invalidateQueries({ queryKey: ['admin', 'backups'] });
    },
    onError: (error) => notifications.show({ color: 'red', title: 'Could not take a backup', message: errorMessage(error) }),
  });
  const download = async (name: string) => {
    setDownloading(name);
    try {
      await downloadFile(`/api/v1/admin/backups/${encodeURIComponent(name)}`, name);
    } catch (error) {
      notifications.show({ color: 'red', title: 'Could not download', message: errorMessage(error) });
    } finally {
      setDownloading(null);
    }
  };
  return (
    <QueryState query={backups}>
      {(data) => (
        <>
          <Group justify="space-between" mb="md" gap="sm">
            <Text size="sm" c="dimmed" style={{ flex: '1 1 240px' }}>
              {data.schedule
                ? `Scheduled (${data.schedule}); next run ${formatDateTime(data.nextRunAt)}; the newest ${data.retention} are kept.`
                : `Scheduled backups are off (BACKUP_SCHEDULE); the newest ${data.retention} are kept.`}{' '}
              Restore one with <code>siteprint restore FILE</code>.
            </Text>
            <Button leftSection={<IconDatabaseExport size={16} />} loading={create.isPending} onClick={() => create.mutate()}>
              Back up now
            </Button>
          </Group>
          {data.items.length === 0 ? (
            <EmptyState title="No backups yet">A backup holds the database and the instance&apos;s files.</EmptyState>
          ) : (
            <Table.ScrollContainer minWidth={480}>
              <Table verticalSpacing="xs" aria-label="Backups">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>File</Table.Th>
                    <Table.Th>Size</Table.Th>
                    <Table.Th>Taken</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.items.map((backup) => (
                    <Table.Tr key={backup.name}>
                      <Table.Td>
                        <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                          {backup.name}
                        </Text>
                      </Table.Td>
                      <Table.Td>{formatBytes(backup.sizeBytes)}</Table.Td>
                      <Table.Td>{formatDateTime(backup.createdAt)}</Table.Td>
                      <Table.Td ta="right">
                        <Button
                          size="xs"
                          variant="default"
                          leftSection={<IconDownload size={14} />}
                          loading={downloading === backup.name}
                          aria-label={`Download ${backup.name}`}
                          onClick={() => void download(backup.name)}
                        >
                          Download
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </>
      )}
    </QueryState>
  );
}
