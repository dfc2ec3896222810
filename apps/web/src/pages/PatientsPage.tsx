import { Badge, Button, Group, Paper, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import type { Patient } from '@medplum/fhirtypes';
import { useState, type FormEvent } from 'react';
import { CreatePatientModal } from '../components/CreatePatientModal.tsx';
import { ErrorNotice, PageLoader, WithheldNotice } from '../components/PageState.tsx';
import { ageOf, dateText, identifierText, nameOf, sexOf } from '../lib/format.ts';
import { recentPatients } from '../lib/recent-patients.ts';
import { Link, useRouter } from '../lib/router.tsx';
import { useFhir } from '../lib/session.tsx';
import { useAsync } from '../lib/use-async.ts';

/** Search criteria as FHIR search parameters (R4 Patient search: name, birthdate, identifier). */
export function patientQuery(c: { name: string; birthDate: string; identifier: string }): Record<string, string> {
  const q: Record<string, string> = { _count: '50', _sort: 'family,given' };
  if (c.name.trim()) q.name = c.name.trim();
  if (c.birthDate.trim()) q.birthdate = c.birthDate.trim();
  if (c.identifier.trim()) q.identifier = c.identifier.trim();
  return q;
}

export function PatientsPage() {
  const fhir = useFhir();
  const { search, navigate } = useRouter();
  const [criteria, setCriteria] = useState({ name: search.get('name') ?? '', birthDate: search.get('birthdate') ?? '', identifier: search.get('identifier') ?? '' });
  const [submitted, setSubmitted] = useState(criteria);
  const [creating, setCreating] = useState(false);
  const results = useAsync(() => fhir.search<Patient>('Patient', patientQuery(submitted)), [submitted]);
  const recentIds = recentPatients();
  const recent = useAsync(() => (recentIds.length ? fhir.search<Patient>('Patient', { _id: recentIds.join(',') }) : Promise.resolve(undefined)), [recentIds.join(',')]);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(criteria);
  };
  const recentSorted = recent.data ? recentIds.map((id) => recent.data!.resources.find((p) => p.id === id)).filter((p): p is Patient => !!p) : [];

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Patients</Title>
        <Button onClick={() => setCreating(true)}>New patient</Button>
      </Group>
      {recentSorted.length > 0 && (
        <Paper withBorder p="sm">
          <Text fw={600} size="sm" mb={4} id="recent-heading">
            Recent patients
          </Text>
          <Group gap="xs" role="list" aria-labelledby="recent-heading">
            {recentSorted.map((p) => (
              <Badge key={p.id} role="listitem" variant="light" size="lg" component={Link} href={`/patients/${p.id}`} style={{ cursor: 'pointer', textTransform: 'none' }}>
                {nameOf(p.name, 'list')}
              </Badge>
            ))}
          </Group>
        </Paper>
      )}
      <form onSubmit={onSubmit} role="search" aria-label="Find a patient">
        <SimpleGrid cols={{ base: 1, sm: 4 }} spacing="sm">
          <TextInput label="Name" placeholder="e.g. thompson" value={criteria.name} onChange={(e) => setCriteria({ ...criteria, name: e.currentTarget.value })} autoFocus />
          <TextInput label="Birth date" placeholder="YYYY-MM-DD" value={criteria.birthDate} onChange={(e) => setCriteria({ ...criteria, birthDate: e.currentTarget.value })} />
          <TextInput label="Identifier (MRN)" value={criteria.identifier} onChange={(e) => setCriteria({ ...criteria, identifier: e.currentTarget.value })} />
          <Button type="submit" mt={{ base: 0, sm: 25 }}>
            Search
          </Button>
        </SimpleGrid>
      </form>
      {results.error && <ErrorNotice error={results.error} onRetry={results.reload} />}
      {results.loading && <PageLoader label="Searching" />}
      {results.data && (
        <>
          <WithheldNotice show={results.data.suppressed} />
          <Table highlightOnHover striped aria-label="Patients found" data-testid="patient-results">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Birth date</Table.Th>
                <Table.Th>Age</Table.Th>
                <Table.Th>Sex</Table.Th>
                <Table.Th>Identifiers</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {results.data.resources.map((p) => (
                <Table.Tr key={p.id} className="clickable-row" onClick={() => navigate(`/patients/${p.id}`)}>
                  <Table.Td>
                    <Link href={`/patients/${p.id}`}>{nameOf(p.name, 'list')}</Link>
                  </Table.Td>
                  <Table.Td>{dateText(p.birthDate)}</Table.Td>
                  <Table.Td>{ageOf(p.birthDate)}</Table.Td>
                  <Table.Td>{sexOf(p)}</Table.Td>
                  <Table.Td>{identifierText(p.identifier).join(', ')}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {results.data.resources.length === 0 && <Text c="dimmed">No patients match.</Text>}
        </>
      )}
      <CreatePatientModal opened={creating} onClose={() => setCreating(false)} onCreated={(p) => navigate(`/patients/${p.id}`)} />
    </Stack>
  );
}
