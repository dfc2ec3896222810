import { Button, Group, Table, Text } from '@mantine/core';
import type { Observation } from '@medplum/fhirtypes';
import { useState } from 'react';
import { errorText } from '../components/AddPanel.tsx';
import { ColumnHeads } from '../components/ColumnHeads.tsx';
import { isShownObservation, measuredValues, observationEnteredInError } from '../lib/chart-edits.ts';
import { codeText, dateText } from '../lib/format.ts';
import { useSession } from '../lib/session.tsx';
import { CorrectMeasurementModal } from './CorrectMeasurementModal.tsx';

/** The newest measurements, each correctable or voidable (entered in error) where it was recorded. */
export function RecentMeasurements({ observations, limit = 10, onChange }: { observations: Observation[]; limit?: number; onChange: () => void }) {
  const { fhir } = useSession();
  const [correcting, setCorrecting] = useState<Observation>();
  const [error, setError] = useState<string>();
  const shown = observations.filter(isShownObservation).slice(0, limit);
  if (!shown.length) return null;
  const markEnteredInError = async (o: Observation) => {
    setError(undefined);
    try {
      await fhir.update(observationEnteredInError(o));
      onChange();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <>
      {error && (
        <Text c="red" role="alert">
          {error}
        </Text>
      )}
      <Table striped aria-label="Recent measurements">
        <ColumnHeads columns={['Measurement', 'Value', 'When']} actions />
        <Table.Tbody>
          {shown.map((o) => {
            const name = codeText(o.code);
            return (
              <Table.Tr key={o.id}>
                <Table.Td>
                  {name}
                  {o.status === 'amended' || o.status === 'corrected' ? ' (corrected)' : ''}
                </Table.Td>
                <Table.Td>{measuredValues(o).map((m) => `${m.value ?? '—'} ${m.unit}`.trim()).join(' / ')}</Table.Td>
                <Table.Td>{dateText(o.effectiveDateTime, true)}</Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Button size="compact-xs" variant="subtle" onClick={() => setCorrecting(o)} aria-label={`Correct ${name} of ${dateText(o.effectiveDateTime, true)}`}>
                      Correct
                    </Button>
                    <Button size="compact-xs" variant="subtle" color="red" onClick={() => void markEnteredInError(o)} aria-label={`Mark ${name} of ${dateText(o.effectiveDateTime, true)} entered in error`}>
                      Entered in error
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {correcting && (
        <CorrectMeasurementModal
          observation={correcting}
          onClose={() => setCorrecting(undefined)}
          onSaved={() => {
            setCorrecting(undefined);
            onChange();
          }}
        />
      )}
    </>
  );
}
