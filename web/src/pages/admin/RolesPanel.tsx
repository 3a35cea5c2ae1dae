import { Table, Text } from '@mantine/core';
import { IconCheck } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { QueryState } from '../../components/states';

/** The role × permission matrix, read from the one role table every authorisation decision reads; not editable. */
export function RolesPanel() {
  const roles = useQuery({ queryKey: ['admin', 'roles'], queryFn: () => unwrap(api.GET('/api/v1/admin/roles')) });
  return (
    <QueryState query={roles}>
      {(data) => {
        const columns = [
          ...data.roles.map((role) => ({ name: role.role, permissions: new Set<string>(role.permissions) })),
          { name: 'system admin', permissions: new Set<string>(data.systemAdmin) },
        ];
        return (
          <>
            <Text size="sm" c="dimmed" mb="sm">
              Workspace roles grant these permissions in their workspace; system administration adds the last column in any workspace. Roles
              are defined in code and read-only here.
            </Text>
            <Table.ScrollContainer minWidth={560}>
              <Table aria-label="Role permissions" striped withColumnBorders>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Permission</Table.Th>
                    {columns.map((column) => (
                      <Table.Th key={column.name} ta="center">
                        {column.name}
                      </Table.Th>
                    ))}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.permissions.map((permission) => (
                    <Table.Tr key={permission}>
                      <Table.Th scope="row" fw={400}>
                        {permission}
                      </Table.Th>
                      {columns.map((column) => (
                        <Table.Td key={column.name} ta="center">
                          {column.permissions.has(permission) ? (
                            <IconCheck size={16} role="img" aria-label={`${column.name}: ${permission}`} />
                          ) : (
                            <Text span c="dimmed" role="img" aria-label={`${column.name}: not ${permission}`}>
                              –
                            </Text>
                          )}
                        </Table.Td>
                      ))}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </>
        );
      }}
    </QueryState>
  );
}
