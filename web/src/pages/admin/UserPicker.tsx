import { Select, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';

/** Picks an account by email or name (searched as typed); its value is the account's id. */
export function UserPicker({ label, value, onChange }: { label: string; value: string | null; onChange: (id: string | null) => void }) {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const users = useQuery({
    queryKey: ['admin', 'users', 'picker', debounced],
    queryFn: () => unwrap(api.GET('/api/v1/admin/users', { params: { query: { q: debounced || undefined, limit: 20 } } })),
  });
  const data = (users.data?.items ?? []).map((user) => ({ value: user.id, label: user.email }));
  return (
    <Select
      label={label}
      placeholder="Anyone"
      searchable
      clearable
      data={data}
      value={value}
      onChange={onChange}
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options }) => options}
      nothingFoundMessage="No such user"
      comboboxProps={{ withinPortal: true }}
    />
  );
}

/** An account's email for its id (cached with the account's detail); the id itself once it is deleted. */
export function UserEmail({ id }: { id: string | null }) {
  const user = useQuery({
    queryKey: ['admin', 'user', id],
    queryFn: () => unwrap(api.GET('/api/v1/admin/users/{id}', { params: { path: { id: id! } } })),
    enabled: id !== null,
    retry: false,
    staleTime: 60_000,
  });
  if (!id)
    return (
      <Text span size="sm" c="dimmed">
        system
      </Text>
    );
  return (
    <Text span size="sm" style={{ overflowWrap: 'anywhere' }}>
      {user.data?.email ?? id}
    </Text>
  );
}
