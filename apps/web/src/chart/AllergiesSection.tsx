import { Badge, Button, Group, Select, Stack, Table, TextInput } from '@mantine/core';
import { AddPanel, errorText } from '../components/AddPanel.tsx';
import { ColumnHeads } from '../components/ColumnHeads.tsx';
import type { AllergyIntolerance } from '@medplum/fhirtypes';
import { useState, type FormEvent } from 'react';
import { codeText, dateText, isoDate } from '../lib/format.ts';
import { useSession } from '../lib/session.tsx';
import { ALLERGY_STATUSES, allergyStatus, withAllergyStatus } from '../lib/chart-edits.ts';

const SNOMED = 'http://snomed.info/sct';
/** Common substances (SNOMED CT substance concepts), curated like the problem list. */
const SUBSTANCES = [
  { code: '764146007', display: 'Penicillin' },
  { code: '387406002', display: 'Sulfonamide' },
  { code: '387207008', display: 'Ibuprofen' },
  { code: '387458008', display: 'Aspirin' },
  { code: '372687004', display: 'Amoxicillin' },
  { code: '373270004', display: 'Cephalosporin' },
  { code: '387517004', display: 'Codeine' },
  { code: '111088007', display: 'Latex' },
  { code: '256349002', display: 'Peanut' },
  { code: '102263004', display: 'Egg protein' },
  { code: '227493005', display: 'Cashew nut' },
  { code: '256259004', display: 'Pollen' },
  { code: '300916003', display: 'Shellfish' },
  { code: '389087006', display: 'Bee venom' },
];

export function AllergiesSection({ patientId, allergies, onChange }: { patientId: string; allergies: AllergyIntolerance[]; onChange: () => void }) {
  const { fhir, tokens } = useSession();
  const [substance, setSubstance] = useState<string | null>(null);
  const [reaction, setReaction] = useState('');
  const [criticality, setCriticality] = useState<string | null>('low');
  const [error, setError] = useState<string>();

  const add = async (e: FormEvent) => {
    e.preventDefault();
    const s = SUBSTANCES.find((x) => x.code === substance);
    if (!s) return setError('Choose a substance.');
    setError(undefined);
    try {
      await fhir.create<AllergyIntolerance>({
        resourceType: 'AllergyIntolerance',
        clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
        verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code: 'confirmed' }] },
        criticality: (criticality ?? undefined) as AllergyIntolerance['criticality'],
        code: { coding: [{ system: SNOMED, code: s.code, display: s.display }], text: s.display },
        patient: { reference: `Patient/${patientId}` },
        recordedDate: isoDate(new Date()),
        ...(tokens.fhirUser ? { recorder: { reference: tokens.fhirUser } } : {}),
        ...(reaction.trim() ? { reaction: [{ manifestation: [{ text: reaction.trim() }] }] } : {}),
      });
      setSubstance(null);
      setReaction('');
      onChange();
    } catch (err) {
      setError(errorText(err));
    }
  };

  const change = async (a: AllergyIntolerance, status: Parameters<typeof withAllergyStatus>[1]) => {
    setError(undefined);
    try {
      await fhir.update<AllergyIntolerance>(withAllergyStatus(a, status));
      onChange();
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <Stack>
      <AddPanel title="Add an allergy" onSubmit={add} error={error}>
        <Group align="flex-end" wrap="wrap">
          <Select label="Substance" searchable data={SUBSTANCES.map((s) => ({ value: s.code, label: s.display }))} value={substance} onChange={setSubstance} w={240} />
          <TextInput label="Reaction" placeholder="e.g. hives" value={reaction} onChange={(e) => setReaction(e.currentTarget.value)} w={220} />
          <Select label="Criticality" data={['low', 'high', 'unable-to-assess']} value={criticality} onChange={setCriticality} w={170} />
          <Button type="submit">Add allergy</Button>
        </Group>
      </AddPanel>
      <Table striped aria-label="Allergies">
        <ColumnHeads columns={['Substance', 'Reaction', 'Criticality', 'Recorded', 'Status']} actions />
        <Table.Tbody>
          {allergies.map((a) => (
            <Table.Tr key={a.id}>
              <Table.Td>{codeText(a.code)}</Table.Td>
              <Table.Td>{a.reaction?.[0]?.manifestation?.map((m) => codeText(m)).join(', ')}</Table.Td>
              <Table.Td>{a.criticality}</Table.Td>
              <Table.Td>{dateText(a.recordedDate)}</Table.Td>
              <AllergyStatusCells allergy={a} onChange={(status) => void change(a, status)} />
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

/** An allergy's status, changeable in place, and the way to void one recorded by mistake. */
function AllergyStatusCells({ allergy, onChange }: { allergy: AllergyIntolerance; onChange: (status: Parameters<typeof withAllergyStatus>[1]) => void }) {
  const status = allergyStatus(allergy);
  const name = codeText(allergy.code);
  if (status === 'entered-in-error' || status === 'refuted') {
    return (
      <>
        <Table.Td>
          <Badge color="gray">{status === 'refuted' ? 'Refuted' : 'Entered in error'}</Badge>
        </Table.Td>
        <Table.Td />
      </>
    );
  }
  return (
    <>
      <Table.Td>
        <Select
          size="xs"
          w={120}
          aria-label={`Status of ${name}`}
          data={[...ALLERGY_STATUSES]}
          value={status === 'unknown' ? null : status}
          placeholder="unknown"
          allowDeselect={false}
          onChange={(v) => v && v !== status && onChange(v as (typeof ALLERGY_STATUSES)[number])}
        />
      </Table.Td>
      <Table.Td>
        <Button size="compact-xs" variant="subtle" color="red" onClick={() => onChange('entered-in-error')} aria-label={`Mark ${name} entered in error`}>
          Entered in error
        </Button>
      </Table.Td>
    </>
  );
}
