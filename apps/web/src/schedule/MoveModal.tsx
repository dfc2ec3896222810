import { ActionIcon, Alert, Button, Group, Loader, Modal, Radio, Stack, Text, TextInput } from '@mantine/core';
import type { Appointment, Schedule } from '@medplum/fhirtypes';
import { useMemo, useState } from 'react';
import { moved } from '../lib/appointments.ts';
import { loadDaySlots } from '../lib/calendar.ts';
import { isoDate } from '../lib/format.ts';
import { useSession } from '../lib/session.tsx';
import { moveTargets, movedToSlots } from '../lib/slots.ts';
import { useAsync } from '../lib/use-async.ts';
import { LONG_DAY, rangeText, spokenTime } from './slot-text.ts';
import { useWrite } from './use-write.ts';

/**
 * Moves an appointment: to free Slots of the clinician's Schedules, a day at a time (a radio group, so it is
 * operated with the arrow keys), or — without a Schedule — to a typed time. The update is a PUT with If-Match
 * on the version read; the server frees the old Slots and fills the new ones in the same transaction.
 */
export function MoveModal({ appointment, patientName, schedules, onClose, onSaved, onStale }: { appointment: Appointment; patientName: string; schedules: Schedule[]; onClose: () => void; onSaved: (a: Appointment) => void; onStale: () => void }) {
  const { fhir } = useSession();
  const start = appointment.start ? new Date(appointment.start) : new Date();
  const [day, setDay] = useState(() => new Date(start.getFullYear(), start.getMonth(), start.getDate()));
  const [choice, setChoice] = useState<string | null>(null);
  const [date, setDate] = useState(isoDate(start));
  const [time, setTime] = useState(`${String(start.getHours()).padStart(2, '0')}:${String(start.getMinutes()).padStart(2, '0')}`);
  const { error, busy, run } = useWrite(onSaved, onStale);
  const slots = useAsync(() => loadDaySlots(fhir, schedules, day), [day.getTime(), schedules]);
  const targets = useMemo(() => moveTargets(slots.data ?? [], appointment, new Date()), [slots.data, appointment]);
  const step = (n: number) => {
    setChoice(null);
    setDay((d) => new Date(d.getFullYear(), d.getMonth(), d.getDate() + n));
  };
  const save = (next: () => Appointment) => run(() => fhir.update(next()));
  const chosen = targets.find((r) => r[0].id === choice);
  return (
    <Modal opened onClose={onClose} title="Move the appointment">
      <Stack>
        <Text size="sm">
          {patientName}, now {spokenTime(appointment.start)}
        </Text>
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        {schedules.length > 0 ? (
          <>
            <Group justify="space-between" wrap="nowrap">
              <ActionIcon variant="default" onClick={() => step(-1)} aria-label="Previous day">
                ‹
              </ActionIcon>
              <Text fw={600} aria-live="polite">
                {LONG_DAY.format(day)}
              </Text>
              <ActionIcon variant="default" onClick={() => step(1)} aria-label="Next day">
                ›
              </ActionIcon>
            </Group>
            {slots.loading && <Loader size="sm" aria-label="Loading free slots" />}
            {slots.error && (
              <Alert color="red" role="alert">
                {slots.error.message}
              </Alert>
            )}
            {!slots.loading && !slots.error && targets.length === 0 && <Text c="dimmed">No free slot on this day.</Text>}
            {targets.length > 0 && (
              <Radio.Group label="Free slots" value={choice} onChange={setChoice}>
                <Stack gap={6} mt={6} mah={400} style={{ overflowY: 'auto' }}>
                  {targets.map((r) => (
                    <Radio key={r[0].id} value={r[0].id!} label={rangeText(r[0].start, r[r.length - 1].end)} />
                  ))}
                </Stack>
              </Radio.Group>
            )}
            <Button disabled={!chosen} loading={busy} onClick={() => chosen && void save(() => movedToSlots(appointment, chosen))}>
              Move
            </Button>
          </>
        ) : (
          <>
            <Group grow>
              <TextInput label="New date" value={date} onChange={(e) => setDate(e.currentTarget.value)} />
              <TextInput label="New start time" value={time} onChange={(e) => setTime(e.currentTarget.value)} />
            </Group>
            <Button loading={busy} onClick={() => void save(() => moved(appointment, date, time))}>
              Move
            </Button>
          </>
        )}
      </Stack>
    </Modal>
  );
}
