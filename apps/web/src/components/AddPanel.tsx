import { Alert, Paper, Title } from '@mantine/core';
import type { FormEvent, ReactNode } from 'react';

/** The "add to the chart" form of a chart section: a titled panel, a labelled form, its error as an alert. */
export function AddPanel({ title, onSubmit, error, children }: { title: string; onSubmit: (e: FormEvent) => void; error?: string; children: ReactNode }) {
  return (
    <Paper withBorder p="sm">
      <Title order={3} size="h5" mb="xs">
        {title}
      </Title>
      <form onSubmit={onSubmit} aria-label={title}>
        {children}
      </form>
      {error && (
        <Alert color="red" mt="sm" role="alert">
          {error}
        </Alert>
      )}
    </Paper>
  );
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
