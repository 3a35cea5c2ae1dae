import { Button } from '@mantine/core';
import { Link } from 'react-router';
import { EmptyState } from '../components/states';

export default function NotFoundPage() {
  return (
    <EmptyState
      title="Page not found"
      action={
        <Button component={Link} to="/">
          Back to the overview
        </Button>
      }
    >
      There is nothing at this address.
    </EmptyState>
  );
}
