import { Anchor, Button, Center, Divider, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { IconBrandGithub, IconBrandGoogle } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';

const providerLabels = { google: { label: 'Google', icon: IconBrandGoogle }, github: { label: 'GitHub', icon: IconBrandGithub } } as const;

/** Sign-in with the providers this instance has configured; nothing when none is. */
function ProviderButtons() {
  const providers = useQuery({
    queryKey: ['auth-providers'],
    queryFn: () => unwrap(api.GET('/api/v1/auth/providers')),
    staleTime: Infinity,
  });
  const names = providers.data?.providers ?? [];
  if (!names.length) return null;
  return (
    <>
      <Divider label="or" labelPosition="center" />
      <Group grow>
        {names.map((name) => {
          const { label, icon: Icon } = providerLabels[name];
          return (
            <Button
              key={name}
              component="a"
              href={`/api/v1/auth/oauth/${name}`}
              variant="default"
              leftSection={<Icon size={16} aria-hidden />}
            >
              {label}
            </Button>
          );
        })}
      </Group>
    </>
  );
}

export function AuthCard({
  title,
  children,
  footer,
}: {
  title: string;
  children: ReactNode;
  footer: { text: string; link: string; to: string };
}) {
  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={420}>
        <Stack>
          <div>
            <Text fw={700} c="blue.8">
              Siteprint
            </Text>
            <Title order={1} size="h2">
              {title}
            </Title>
          </div>
          {children}
          <ProviderButtons />
          <Text size="sm" ta="center">
            {footer.text}{' '}
            <Anchor component={Link} to={footer.to}>
              {footer.link}
            </Anchor>
          </Text>
        </Stack>
      </Paper>
    </Center>
  );
}
