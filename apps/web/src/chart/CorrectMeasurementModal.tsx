import { Alert, Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import type { Observation } from '@medplum/fhirtypes';
import { useState } from 'react';
import { errorText } from '../components/AddPanel.tsx';
import { correctedObservation, measuredValues } from '../lib/chart-edits.ts';
import { codeText, dateText } from '../lib/format.ts';
import { useSession } from '../lib/session.tsx';

/** Corrects the numbers of a recorded measurement: the same Observation, status `amended`, saved with If-Match. */
export function CorrectMeasurementModal({ observation, onClose, onSaved }: { observation: Observation; onClose: () => void; onSaved: () => void }) {
  const { fhir } = useSession();
  const measured = measuredValues(observation);
  const [texts, setTexts] = useState(measured.map((m) => (m.value === undefined ? '' : String(m.value))));
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const numbers = texts.map((t) => (t.trim() === '' ? NaN : Number(t)));
  const save = async () => {
    if (numbers.some((n) => !Number.isFinite(n))) return setError('Enter a number in every field.');
    setError(undefined);
    setBusy(true);
    try {
      await fhir.update(correctedObservation(observation, numbers));
      onSaved();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened onClose={onClose} title="Correct a measurement">
      <Stack>
        <Text size="sm">
          {codeText(observation.code)}, {dateText(observation.effectiveDateTime, true)}
        </Text>
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        {measured.map((m, i) => (
          <TextInput
            key={m.label}
            label={m.unit ? `${m.label} (${m.unit})` : m.label}
            inputMode="decimal"
            value={texts[i]}
            data-autofocus={i === 0 || undefined}
            onChange={(e) => setTexts(texts.map((t, j) => (j === i ? e.currentTarget.value : t)))}
          />
        ))}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Keep as recorded
          </Button>
          <Button loading={busy} onClick={() => void save()}>
            Save correction
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
