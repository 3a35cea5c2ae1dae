import { Anchor, Card, List, Text } from '@mantine/core';
import { Link } from 'react-router';
import { PageHeader } from '../../components/PageHeader';

/** Scheduled PDF/CSV/JSON reports come with the reports issue; this says what exists today. */
export default function ReportsPage() {
  return (
    <>
      <PageHeader title="Reports" description="Scheduled PDF, CSV and JSON reports arrive in a later release." />
      <Card withBorder maw={720}>
        <Text size="sm" mb="xs">
          Until then, these exports are available:
        </Text>
        <List size="sm" spacing={4}>
          <List.Item>
            A site's blueprint as JSON, YAML or CSV: <Anchor component={Link} to="/sites">open a site</Anchor>, then Blueprint → Export.
          </List.Item>
          <List.Item>Batch extraction results as JSON, NDJSON or CSV, through the API's extraction jobs.</List.Item>
          <List.Item>
            LLM usage by day, model, site and step on the <Anchor component={Link} to="/analytics">Analytics</Anchor> page.
          </List.Item>
        </List>
      </Card>
    </>
  );
}
