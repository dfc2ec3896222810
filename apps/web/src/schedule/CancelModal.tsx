import { Alert, Button, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import type { Appointment } from '@medplum/fhirtypes';
import { useState } from 'react';
import { CANCEL_REASONS, cancelled } from '../lib/appointments.ts';
import { useSession } from '../lib/session.tsx';
import { spokenTime } from './slot-text.ts';
import { useWrite } from './use-write.ts';

/** Cancels an appointment (status `cancelled` + cancelationReason, PUT with If-Match); the server frees its Slots. */
export function CancelModal({ appointment, patientName, onClose, onSaved, onStale }: { appointment: Appointment; patientName: string; onClose: () => void; onSaved: () => void; onStale: () => void }) {
  const { fhir } = useSession();
  const [reason, setReason] = useState<string | null>('pat');
  const [note, setNote] = useState('');
  const { error, busy, run } = useWrite(onSaved, onStale);
  return (
    <Modal opened onClose={onClose} title="Cancel the appointment">
      <Stack>
        <Text size="sm">
          {patientName}, {spokenTime(appointment.start)}
        </Text>
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        <Select label="Reason" data={CANCEL_REASONS.map((r) => ({ value: r.code, label: r.display }))} value={reason} onChange={setReason} allowDeselect={false} data-autofocus />
        <TextInput label="Note (optional)" value={note} onChange={(e) => setNote(e.currentTarget.value)} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Keep the appointment
          </Button>
          <Button color="red" loading={busy} onClick={() => void run(() => fhir.update(cancelled(appointment, note, reason ?? undefined)))}>
            Cancel appointment
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
