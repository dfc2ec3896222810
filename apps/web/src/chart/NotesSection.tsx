import { Badge, Button, Group, Paper, Select, Stack, Table, Text, Title } from '@mantine/core';
import type { Composition, Encounter } from '@medplum/fhirtypes';
import { useState } from 'react';
import { codeText, dateText } from '../lib/format.ts';
import { Link, useRouter } from '../lib/router.tsx';
import { useFhir } from '../lib/session.tsx';
import { useAsync } from '../lib/use-async.ts';
import { ErrorNotice, PageLoader, WithheldNotice } from '../components/PageState.tsx';
import { TEMPLATES, templateOf } from '../notes/templates.ts';
import { templateOfNote } from '../notes/composition.ts';

export function statusBadge(c: Composition) {
  const cosigned = c.attester?.some((a) => a.mode === 'professional');
  if (c.status === 'final' || c.status === 'amended')
    return (
      <Badge color="green" variant="light">
        Signed{cosigned ? ' · co-signed' : ''}
      </Badge>
    );
  if (c.status === 'entered-in-error') return <Badge color="gray">Entered in error</Badge>;
  return (
    <Badge color="orange" variant="light">
      Draft
    </Badge>
  );
}

export function NotesSection({ patientId, encounters }: { patientId: string; encounters: Encounter[] }) {
  const { navigate } = useRouter();
  const fhir = useFhir();
  const loaded = useAsync(() => fhir.search<Composition>('Composition', { subject: `Patient/${patientId}`, _count: 100, _sort: '-date' }), [patientId]);
  const notes = loaded.data?.resources ?? [];
  const [template, setTemplate] = useState<string | null>('soap');
  const [encounter, setEncounter] = useState<string | null>(encounters[0]?.id ?? 'new');
  const t = templateOf(template ?? undefined);
  const start = () => {
    if (!t) return;
    const q = new URLSearchParams({ template: t.code });
    if (encounter) q.set('encounter', encounter);
    navigate(`/patients/${patientId}/notes/new?${q}`);
  };
  return (
    <Stack>
      <Paper withBorder p="sm">
        <Title order={3} size="h5" mb="xs">
          Write a note
        </Title>
        <Group align="flex-end" wrap="wrap">
          <Select label="Template" data={TEMPLATES.map((x) => ({ value: x.code, label: x.title }))} value={template} onChange={setTemplate} allowDeselect={false} w={240} />
          <Select
            label="Visit"
            data={[{ value: 'new', label: "Today's visit (new)" }, ...encounters.map((e) => ({ value: e.id!, label: `${dateText(e.period?.start)} — ${codeText(e.type?.[0])}` }))]}
            value={encounter}
            onChange={setEncounter}
            clearable={!t?.encounterRequired}
            placeholder="No visit"
            w={320}
          />
          <Button onClick={start}>Start note</Button>
        </Group>
      </Paper>
      <Table striped aria-label="Notes" data-testid="note-list">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Date</Table.Th>
            <Table.Th>Title</Table.Th>
            <Table.Th>Template</Table.Th>
            <Table.Th>Author</Table.Th>
            <Table.Th>Status</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {notes.map((n) => (
            <Table.Tr key={n.id}>
              <Table.Td>{dateText(n.date, true)}</Table.Td>
              <Table.Td>
                <Link href={`/patients/${patientId}/notes/${n.id}`}>{n.title}</Link>
              </Table.Td>
              <Table.Td>{templateOfNote(n)?.title ?? codeText(n.type)}</Table.Td>
              <Table.Td>{n.author?.map((a) => a.display ?? a.reference).join(', ')}</Table.Td>
              <Table.Td>{statusBadge(n)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {loaded.error && <ErrorNotice error={loaded.error} onRetry={loaded.reload} />}
      {loaded.loading && !loaded.data && <PageLoader label="Loading notes" />}
      {loaded.data && <WithheldNotice show={loaded.data.suppressed} />}
      {loaded.data && notes.length === 0 && <Text c="dimmed">No notes yet.</Text>}
    </Stack>
  );
}
