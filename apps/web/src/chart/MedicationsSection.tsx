import { Button, Group, Select, Stack, Table, TextInput } from '@mantine/core';
import { AddPanel, errorText } from '../components/AddPanel.tsx';
import type { MedicationRequest } from '@medplum/fhirtypes';
import { useState, type FormEvent } from 'react';
import { codeText, dateText, isoDate } from '../lib/format.ts';
import { useSession } from '../lib/session.tsx';
import { MEDICATIONS, RXNORM } from '../terminology/medications.ts';

/** A MedicationRequest (order, community) for a curated RxNorm drug. */
export function medicationRequest(rxnorm: string, sig: string, patientId: string, requester?: string): MedicationRequest {
  const term = MEDICATIONS.find((m) => m.rxnorm === rxnorm);
  if (!term) throw new Error(`Unknown medication ${rxnorm}`);
  return {
    resourceType: 'MedicationRequest',
    status: 'active',
    intent: 'order',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/medicationrequest-category', code: 'community', display: 'Community' }] }],
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: term.rxnorm, display: term.display }], text: term.display },
    subject: { reference: `Patient/${patientId}` },
    authoredOn: isoDate(new Date()),
    ...(requester ? { requester: { reference: requester } } : {}),
    dosageInstruction: [{ text: sig.trim() || term.sig }],
  };
}

export function MedicationsSection({ patientId, medications, onChange }: { patientId: string; medications: MedicationRequest[]; onChange: () => void }) {
  const { fhir, tokens } = useSession();
  const [rx, setRx] = useState<string | null>(null);
  const [sig, setSig] = useState('');
  const [error, setError] = useState<string>();
  const [saving, setSaving] = useState(false);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (!rx) return setError('Choose a medication from the list.');
    setSaving(true);
    setError(undefined);
    try {
      await fhir.create(medicationRequest(rx, sig, patientId, tokens.fhirUser));
      setRx(null);
      setSig('');
      onChange();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setSaving(false);
    }
  };

  const stop = async (m: MedicationRequest) => {
    try {
      await fhir.update<MedicationRequest>({ ...m, status: 'stopped' });
      onChange();
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <Stack>
      <AddPanel title="Prescribe or record a medication" onSubmit={add} error={error}>
        <Group align="flex-end" wrap="wrap">
          <Select
            label="Medication (RxNorm)"
            placeholder="Type a drug name"
            searchable
            data={MEDICATIONS.map((m) => ({ value: m.rxnorm, label: m.display }))}
            value={rx}
            onChange={(v) => {
              setRx(v);
              setSig(MEDICATIONS.find((m) => m.rxnorm === v)?.sig ?? '');
            }}
            nothingFoundMessage="No match in the medication list"
            w={420}
          />
          <TextInput label="Instructions (sig)" value={sig} onChange={(e) => setSig(e.currentTarget.value)} w={360} />
          <Button type="submit" loading={saving}>
            Add medication
          </Button>
        </Group>
      </AddPanel>
      <Table striped aria-label="Medications" data-testid="medication-list">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Medication</Table.Th>
            <Table.Th>Instructions</Table.Th>
            <Table.Th>Ordered</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>
              <span className="visually-hidden">Actions</span>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {medications.map((m) => (
            <Table.Tr key={m.id}>
              <Table.Td>{codeText(m.medicationCodeableConcept)}</Table.Td>
              <Table.Td>{m.dosageInstruction?.[0]?.text}</Table.Td>
              <Table.Td>{dateText(m.authoredOn)}</Table.Td>
              <Table.Td>{m.status}</Table.Td>
              <Table.Td>
                {m.status === 'active' && (
                  <Button size="compact-xs" variant="subtle" color="red" onClick={() => void stop(m)} aria-label={`Stop ${codeText(m.medicationCodeableConcept)}`}>
                    Stop
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
