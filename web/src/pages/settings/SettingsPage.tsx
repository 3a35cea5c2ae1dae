import { Tabs } from '@mantine/core';
import { useNavigate, useParams } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { ApiKeySettings } from './ApiKeySettings';
import { MemberSettings } from './MemberSettings';
import { ProfileSettings } from './ProfileSettings';
import { WorkspaceSettings } from './WorkspaceSettings';

const tabs = [
  { value: 'profile', label: 'Profile', Panel: ProfileSettings },
  { value: 'api-keys', label: 'API keys', Panel: ApiKeySettings },
  { value: 'members', label: 'Members', Panel: MemberSettings },
  { value: 'workspaces', label: 'Workspaces', Panel: WorkspaceSettings },
] as const;

export default function SettingsPage() {
  const { tab = 'profile' } = useParams();
  const navigate = useNavigate();
  return (
    <>
      <PageHeader title="Settings" />
      <Tabs value={tab} onChange={(value) => navigate(`/settings/${value ?? 'profile'}`)} keepMounted={false}>
        <Tabs.List mb="md" style={{ overflowX: 'auto', flexWrap: 'nowrap' }}>
          {tabs.map((item) => (
            <Tabs.Tab key={item.value} value={item.value}>
              {item.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {tabs.map(({ value, Panel }) => (
          <Tabs.Panel key={value} value={value}>
            <Panel />
          </Tabs.Panel>
        ))}
      </Tabs>
    </>
  );
}
