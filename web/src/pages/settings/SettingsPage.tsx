import { useParams } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { RoutedTabs } from '../../components/RoutedTabs';
import { ApiKeySettings } from './ApiKeySettings';
import { MemberSettings } from './MemberSettings';
import { NotificationSettings } from './NotificationSettings';
import { ProfileSettings } from './ProfileSettings';
import { WorkspaceSettings } from './WorkspaceSettings';

const tabs = [
  { value: 'profile', label: 'Profile', Panel: ProfileSettings },
  { value: 'api-keys', label: 'API keys', Panel: ApiKeySettings },
  { value: 'members', label: 'Members', Panel: MemberSettings },
  { value: 'notifications', label: 'Notifications', Panel: NotificationSettings },
  { value: 'workspaces', label: 'Workspaces', Panel: WorkspaceSettings },
] as const;

export default function SettingsPage() {
  const { tab = 'profile' } = useParams();
  return (
    <>
      <PageHeader title="Settings" />
      <RoutedTabs base="/settings" current={tab} tabs={tabs} props={{}} />
    </>
  );
}
