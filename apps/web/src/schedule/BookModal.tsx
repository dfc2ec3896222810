import { Alert, Button, Group, Modal, NumberInput, Select, Stack, Text, TextInput } from '@mantine/core';
import type { Appointment, Slot } from '@medplum/fhirtypes';
import { useMemo, useState, type FormEvent } from 'react';
import { bookedAppointment, bookedInSlots, VISIT_KINDS } from '../lib/appointments.ts';
import { timeText } from '../lib/format.ts';
import { useSession } from '../lib/session.tsx';
import { bookableRuns } from '../lib/slots.ts';
import { PatientPicker } from './PatientPicker.tsx';
import { LONG_DAY } from './slot-text.ts';
import { useWrite } from './use-write.ts';

/** Where to book: a free Slot (with the day's Slots, for longer visits), or a typed time for a clinician without a Schedule. */
export type BookingTarget = { slot: Slot; daySlots: Slot[] } | { date: string; time: string };

/**
 * Books an appointment: from a free Slot (start and end from the Slot or Slots, `Appointment.slot` referencing
 * them; the server marks them busy), or at a typed time. A 409 (the slot was just taken) refreshes the schedule.
 */
export function BookModal({ practitioner, target, onClose, onBooked, onStale }: { practitioner: string; target: BookingTarget; onClose: () => void; onBooked: (a: Appointment) => void; onStale: () => void }) {
  const { fhir } = useSession();
  const [patient, setPatient] = useState<string | null>(null);
  const [kind, setKind] = useState<string | null>('ROUTINE');
  const [date, setDate] = useState('date' in target ? target.date : '');
  const [time, setTime] = useState('time' in target ? target.time : '');
  const [minutes, setMinutes] = useState<number>(50);
  const runs = useMemo(() => ('slot' in target ? bookableRuns(target.daySlots, target.slot) : []), [target]);
  const [length, setLength] = useState<string | null>('0');
  const { error, setError, busy, run } = useWrite(onBooked, onStale);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!patient) return setError('Choose the patient.');
    const form = { patient, practitioner, kind: kind ?? 'ROUTINE' };
    void run(async () => fhir.create('slot' in target ? bookedInSlots(form, runs[Number(length ?? 0)] ?? [target.slot]) : bookedAppointment({ ...form, date, time, minutes })));
  };
  return (
    <Modal opened onClose={onClose} title="Book an appointment">
      <form onSubmit={submit} aria-label="Book an appointment">
        <Stack>
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          {'slot' in target && (
            <Text fw={600} data-testid="booking-slot">
              {LONG_DAY.format(new Date(target.slot.start!))}, {timeText(target.slot.start)}
            </Text>
          )}
          <PatientPicker value={patient} onChange={setPatient} />
          {'slot' in target ? (
            <Select
              label="Length"
              description="Consecutive free slots"
              data={runs.map((r, i) => ({ value: String(i), label: `${Math.round((Date.parse(r[r.length - 1].end!) - Date.parse(r[0].start!)) / 60_000)} minutes (until ${timeText(r[r.length - 1].end)})` }))}
              value={length}
              onChange={setLength}
              allowDeselect={false}
            />
          ) : (
            <>
              <Group grow>
                <TextInput label="Date" description="YYYY-MM-DD" value={date} onChange={(e) => setDate(e.currentTarget.value)} required />
                <TextInput label="Start time" description="HH:MM, 24-hour" value={time} onChange={(e) => setTime(e.currentTarget.value)} required />
              </Group>
              <NumberInput label="Minutes" min={5} max={480} step={5} value={minutes} onChange={(v) => setMinutes(Number(v) || 30)} />
            </>
          )}
          <Select label="Visit type" data={VISIT_KINDS.map((k) => ({ value: k.code, label: k.display }))} value={kind} onChange={setKind} allowDeselect={false} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Close
            </Button>
            <Button type="submit" loading={busy}>
              Book
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
