import { Alert } from '@mantine/core';
import { useParams } from 'react-router';
import { useSession } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { RoutedTabs } from '../../components/RoutedTabs';
import { ApiKeysPanel } from './ApiKeysPanel';
import { AuditPanel } from './AuditPanel';
import { BackupsPanel } from './BackupsPanel';
import { CachesPanel } from './CachesPanel';
import { LogsPanel } from './LogsPanel';
import { PlansPanel } from './PlansPanel';
import { QueuesPanel } from './QueuesPanel';
import { RolesPanel } from './RolesPanel';
import { SettingsPanel } from './SettingsPanel';
import { SystemPanel } from './SystemPanel';
import { UsersPanel } from './UsersPanel';
import { WorkersPanel } from './WorkersPanel';
import { WorkspacesPanel } from './WorkspacesPanel';

/** The administration area's sections, one panel (file) each, reached at `/admin/<value>`. */
const tabs = [
  { value: 'users', label: 'Users', Panel: UsersPanel },
  { value: 'workspaces', label: 'Workspaces', Panel: WorkspacesPanel },
  { value: 'roles', label: 'Roles', Panel: RolesPanel },
  { value: 'api-keys', label: 'API keys', Panel: ApiKeysPanel },
  { value: 'audit', label: 'Audit log', Panel: AuditPanel },
  { value: 'system', label: 'System', Panel: SystemPanel },
  { value: 'logs', label: 'Logs', Panel: LogsPanel },
  { value: 'backups', label: 'Backups', Panel: BackupsPanel },
  { value: 'plans', label: 'Plans & quotas', Panel: PlansPanel },
  { value: 'settings', label: 'Settings', Panel: SettingsPanel },
  { value: 'caches', label: 'Caches', Panel: CachesPanel },
  { value: 'workers', label: 'Workers', Panel: WorkersPanel },
  { value: 'queues', label: 'Queues', Panel: QueuesPanel },
] as const;

export default function AdminPage() {
  const session = useSession();
  const { tab = 'users' } = useParams();
  if (!session.user?.systemAdmin) return <Alert color="yellow">Only system administrators can open the admin panel.</Alert>;
  return (
    <>
      <PageHeader title="Admin" description="Accounts, workspaces, access, health and data of this instance." />
      <RoutedTabs base="/admin" current={tab} tabs={tabs} props={{}} />
    </>
  );
}
