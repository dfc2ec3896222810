import { Badge, Button, Group, Paper, Stack, Text, VisuallyHidden } from '@mantine/core';
import type { Appointment, Patient } from '@medplum/fhirtypes';
import { patientOf } from '../lib/appointments.ts';
import { codeText, isoDate, nameOf, timeText } from '../lib/format.ts';
import { Link } from '../lib/router.tsx';
import { daySummary, type ScheduleDay, type ScheduleRow } from '../lib/slots.ts';
import { DAY, LONG_DAY, rangeText, spokenTime } from './slot-text.ts';

/** What a dragged appointment carries: its id, in a type of our own so other drags are not taken for it. */
const DRAG_TYPE = 'application/x-confide-appointment';

export interface RowActions {
  book(row: ScheduleRow): void;
  /** An appointment dropped on a free slot (drag and drop, for the mouse; the keyboard has Move). */
  drop(appointmentId: string, row: ScheduleRow): void;
  move(a: Appointment, patientName: string): void;
  cancel(a: Appointment, patientName: string): void;
}

/** The patient's name for an appointment: the included Patient, else the participant's display. */
export function patientName(a: Appointment, patients: Map<string, Patient>): string {
  const ref = patientOf(a);
  const p = patients.get(ref ?? '');
  return p ? nameOf(p.name, 'list') : (a.participant?.find((x) => x.actor?.reference === ref)?.actor?.display ?? 'Patient');
}

/** One day of the schedule: a heading with what is free and booked, then its rows in time order. */
export function DayColumn({ day, compact, scheduled, patients, actions }: { day: ScheduleDay; compact: boolean; scheduled: boolean; patients: Map<string, Patient>; actions: RowActions }) {
  const d = new Date(day.date + 'T00:00');
  const rows = day.rows.filter((r) => !(r.kind === 'free' && r.past));
  const { free, booked } = daySummary(day);
  const headingId = `day-${day.date}`;
  return (
    <Paper withBorder p="xs" component="section" aria-labelledby={headingId} data-testid="schedule-day">
      {/* The week shows each day's name; the day view says it once above, so its heading is for screen readers. */}
      <Group justify={compact ? 'space-between' : 'flex-end'} gap={4} mb={6}>
        {compact ? (
          <Text id={headingId} component="h3" fw={600} size="sm" m={0} c={day.date === isoDate(new Date()) ? 'teal.8' : undefined}>
            {DAY.format(d)}
          </Text>
        ) : (
          <VisuallyHidden id={headingId} component="h3">
            {LONG_DAY.format(d)}
          </VisuallyHidden>
        )}
        <Text size="xs" c="dimmed">
          {free} free · {booked} booked
        </Text>
      </Group>
      {rows.length === 0 && (
        <Text size="sm" c="dimmed">
          No slots or appointments
        </Text>
      )}
      <Stack component="ul" gap={4} m={0} p={0} style={{ listStyle: 'none' }}>
        {rows.map((r) => (
          <li key={`${r.kind}-${r.start}-${r.slots[0]?.id ?? r.appointments[0]?.id}`}>
            <Row row={r} compact={compact} scheduled={scheduled} patients={patients} actions={actions} />
          </li>
        ))}
      </Stack>
    </Paper>
  );
}

function Row({ row, compact, scheduled, patients, actions }: { row: ScheduleRow; compact: boolean; scheduled: boolean; patients: Map<string, Patient>; actions: RowActions }) {
  // The week's columns are narrow: start times only.
  const time = compact ? timeText(row.start) : rangeText(row.start, row.end);
  if (row.kind === 'free') {
    return (
      <Button
        variant="light"
        color="teal"
        size="compact-sm"
        fullWidth
        justify={compact ? 'flex-start' : 'space-between'}
        rightSection={compact ? undefined : 'Book'}
        onClick={() => actions.book(row)}
        onDragOver={(e) => e.dataTransfer.types.includes(DRAG_TYPE) && e.preventDefault()}
        onDrop={(e) => {
          const id = e.dataTransfer.getData(DRAG_TYPE);
          if (!id) return;
          e.preventDefault();
          actions.drop(id, row);
        }}
        aria-label={`Book ${spokenTime(row.start)}, free slot`}
        data-testid="free-slot"
      >
        {time}
      </Button>
    );
  }
  if (row.kind === 'blocked' || row.appointments.length === 0) {
    return (
      <Paper p={4} px={8} radius="sm" bg="gray.1" data-testid={row.kind === 'blocked' ? 'blocked-slot' : 'busy-slot'}>
        <Text size="sm" c="gray.7">
          {time} {row.kind === 'blocked' ? 'Unavailable' : 'Busy'}
        </Text>
      </Paper>
    );
  }
  return (
    <Paper withBorder p={6} radius="sm" bg="teal.0" data-testid="appointment">
      <Text size="sm" fw={600}>
        {time}
        {row.kind === 'appointment' && scheduled && !compact && (
          <Badge size="xs" variant="outline" ml={6}>
            outside the schedule
          </Badge>
        )}
      </Text>
      {row.appointments.length > 1 && (
        <Text size="xs" c="dimmed">
          Group session, {row.appointments.length} patients
        </Text>
      )}
      <Stack gap={4}>
        {row.appointments.map((a) => (
          <AppointmentLine key={a.id} a={a} name={patientName(a, patients)} compact={compact} actions={actions} />
        ))}
      </Stack>
    </Paper>
  );
}

function AppointmentLine({ a, name, compact, actions }: { a: Appointment; name: string; compact: boolean; actions: RowActions }) {
  const ref = patientOf(a);
  const when = spokenTime(a.start);
  return (
    <div
      data-appointment-id={a.id}
      draggable={!!a.id}
      onDragStart={(e) => {
        e.dataTransfer.setData(DRAG_TYPE, a.id!);
        e.dataTransfer.effectAllowed = 'move';
      }}
      style={{ cursor: 'grab' }}
    >
      <Text size="sm">
        {ref ? (
          <Link href={`/patients/${ref.split('/')[1]}`} aria-label={`Open the chart of ${name}`}>
            {name}
          </Link>
        ) : (
          name
        )}
      </Text>
      <Group justify="space-between" gap={4} wrap={compact ? 'wrap' : 'nowrap'}>
        <Text size="xs" c="dimmed">
          {a.description ?? codeText(a.appointmentType ?? a.serviceType?.[0])} {a.status !== 'booked' && <Badge size="xs">{a.status}</Badge>}
        </Text>
        <Group gap={2} wrap="nowrap">
          <Button size="compact-xs" variant="subtle" onClick={() => actions.move(a, name)} aria-label={`Move the appointment of ${name} at ${when}`}>
            Move
          </Button>
          <Button size="compact-xs" variant="subtle" color="red" onClick={() => actions.cancel(a, name)} aria-label={`Cancel the appointment of ${name} at ${when}`}>
            Cancel
          </Button>
        </Group>
      </Group>
    </div>
  );
}
