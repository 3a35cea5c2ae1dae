import { Alert } from '@mantine/core';
import { useCallback, useState } from 'react';
import { errorMessage } from '../api/client';

/**
 * A form's submit error: `capture` runs the submission and keeps what went wrong (a problem's
 * detail and first field error) for `FormError` to show, clearing it on the next attempt.
 */
export function useFormError() {
  const [error, setError] = useState<string | null>(null);
  const capture = useCallback(async (submit: () => Promise<unknown>) => {
    setError(null);
    try {
      await submit();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }, []);
  return { error, setError, capture };
}

export function FormError({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <Alert color="red" role="alert">
      {error}
    </Alert>
  );
}
