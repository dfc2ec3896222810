import { Button, Group, Select, Stack, Table, TextInput, type ComboboxItem, type OptionsFilter } from '@mantine/core';
import { AddPanel, errorText } from '../components/AddPanel.tsx';
import type { Condition } from '@medplum/fhirtypes';
import { useState, type FormEvent } from 'react';
import { codeText, dateText, isoDate } from '../lib/format.ts';
import { useSession } from '../lib/session.tsx';
import { ICD10CM, PROBLEMS, SNOMED, searchProblems } from '../terminology/problems.ts';

const CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const STATUSES = ['active', 'recurrence', 'relapse', 'inactive', 'remission', 'resolved'];

const options: ComboboxItem[] = PROBLEMS.map((p) => ({ value: p.icd10, label: `${p.display} (${p.icd10})` }));
// The search matches synonyms and codes too ("HTN", "F41"), not only the label.
const filter: OptionsFilter = ({ options: opts, search }) => {
  const hits = new Set(searchProblems(search, 20).map((p) => p.icd10));
  return (opts as ComboboxItem[]).filter((o) => hits.has(o.value));
};

/** A problem-list Condition (US Core Condition Problems and Health Concerns) from a curated term. */
export function problemCondition(icd10: string, patientId: string, onset: string, recorder?: string): Condition {
  const term = PROBLEMS.find((p) => p.icd10 === icd10);
  if (!term) throw new Error(`Unknown problem ${icd10}`);
  return {
    resourceType: 'Condition',
    clinicalStatus: { coding: [{ system: CLINICAL, code: 'active' }] },
    verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item', display: 'Problem List Item' }] }],
    code: {
      coding: [
        { system: ICD10CM, code: term.icd10, display: term.display },
        { system: SNOMED, code: term.snomed, display: term.display },
      ],
      text: term.display,
    },
    subject: { reference: `Patient/${patientId}` },
    ...(onset ? { onsetDateTime: onset } : {}),
    recordedDate: isoDate(new Date()),
    ...(recorder ? { recorder: { reference: recorder } } : {}),
  };
}

export function ProblemsSection({ patientId, conditions, onChange }: { patientId: string; conditions: Condition[]; onChange: () => void }) {
  const { fhir, tokens } = useSession();
  const [code, setCode] = useState<string | null>(null);
  const [onset, setOnset] = useState('');
  const [error, setError] = useState<string>();
  const [saving, setSaving] = useState(false);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (!code) return setError('Choose a problem from the list.');
    if (onset && !/^\d{4}-\d{2}-\d{2}$/.test(onset)) return setError('Enter the onset as year-month-day, e.g. 2024-05-01.');
    setSaving(true);
    setError(undefined);
    try {
      await fhir.create(problemCondition(code, patientId, onset, tokens.fhirUser));
      setCode(null);
      setOnset('');
      onChange();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setSaving(false);
    }
  };

  const setStatus = async (c: Condition, status: string) => {
    try {
      await fhir.update<Condition>({
        ...c,
        clinicalStatus: { coding: [{ system: CLINICAL, code: status }] },
        ...(status === 'resolved' && !c.abatementDateTime ? { abatementDateTime: isoDate(new Date()) } : {}),
      });
      onChange();
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <Stack>
      <AddPanel title="Add a problem" onSubmit={add} error={error}>
        <Group align="flex-end" wrap="wrap">
          <Select
            label="Problem (ICD-10-CM / SNOMED CT)"
            placeholder="Type a name or code, e.g. anxiety or F41"
            searchable
            data={options}
            filter={filter}
            value={code}
            onChange={setCode}
            nothingFoundMessage="No match in the problem list"
            w={420}
            maxDropdownHeight={260}
          />
          <TextInput label="Onset" placeholder="YYYY-MM-DD" value={onset} onChange={(e) => setOnset(e.currentTarget.value)} w={140} />
          <Button type="submit" loading={saving}>
            Add problem
          </Button>
        </Group>
      </AddPanel>
      <Table striped aria-label="Problem list" data-testid="problem-list">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Problem</Table.Th>
            <Table.Th>Codes</Table.Th>
            <Table.Th>Onset</Table.Th>
            <Table.Th>Status</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {conditions.map((c) => (
            <Table.Tr key={c.id}>
              <Table.Td>{codeText(c.code)}</Table.Td>
              <Table.Td>{c.code?.coding?.map((x) => x.code).join(' · ')}</Table.Td>
              <Table.Td>{dateText(c.onsetDateTime)}</Table.Td>
              <Table.Td>
                <Select
                  aria-label={`Status of ${codeText(c.code)}`}
                  size="xs"
                  w={130}
                  data={STATUSES}
                  value={c.clinicalStatus?.coding?.[0]?.code ?? null}
                  onChange={(v) => v && void setStatus(c, v)}
                  allowDeselect={false}
                />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
