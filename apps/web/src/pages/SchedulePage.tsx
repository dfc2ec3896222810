import { ActionIcon, Alert, Button, Group, SegmentedControl, Select, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { Appointment, Practitioner } from '@medplum/fhirtypes';
import { useEffect, useMemo, useRef, useState } from 'react';
import { ErrorNotice, PageLoader, WithheldNotice } from '../components/PageState.tsx';
import { viewDays } from '../lib/appointments.ts';
import { loadCalendar } from '../lib/calendar.ts';
import { isoDate, nameOf, timeText } from '../lib/format.ts';
import { useRouter } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import { layoutSchedule, lengthOf, movedToSlots, slotRun, type ScheduleRow } from '../lib/slots.ts';
import { useAsync } from '../lib/use-async.ts';
import { BookModal, type BookingTarget } from '../schedule/BookModal.tsx';
import { CancelModal } from '../schedule/CancelModal.tsx';
import { DayColumn, type RowActions } from '../schedule/DayColumn.tsx';
import { MoveModal } from '../schedule/MoveModal.tsx';
import { useWrite } from '../schedule/use-write.ts';
import { LONG_DAY } from '../schedule/slot-text.ts';

type Change = { kind: 'move' | 'cancel'; appointment: Appointment; patientName: string };

/**
 * The schedule (docs/web.md, docs/scheduling.md): one clinician's day or week from their Schedule's Slots and
 * their Appointments. Free Slots are booked, appointments moved to other free Slots or cancelled; after each
 * write the view is read again, so what it shows is the server's state of the Slots.
 */
export default function SchedulePage() {
  const { fhir, tokens } = useSession();
  const { search, navigate } = useRouter();
  const me = tokens.fhirUser?.startsWith('Practitioner/') ? tokens.fhirUser : undefined;
  const [practitioner, setPractitioner] = useState<string | null>(search.get('practitioner') ?? me ?? null);
  const [view, setView] = useState<'day' | 'week'>(search.get('view') === 'week' ? 'week' : 'day');
  const [day, setDay] = useState(() => (search.get('date') ? new Date(search.get('date') + 'T00:00') : new Date()));
  const [booking, setBooking] = useState<BookingTarget | undefined>();
  const [change, setChange] = useState<Change | undefined>();
  // What the last write did; `n` counts writes, so the same message twice still takes the focus.
  const [done, setDone] = useState<{ text: string; n: number }>();
  const doneRef = useRef<HTMLDivElement>(null);
  // The dialog's trigger (a free slot, a Move button) is gone or elsewhere after the write: the keyboard
  // continues from the confirmation rather than from the top of the page.
  useEffect(() => {
    if (done) doneRef.current?.focus();
  }, [done]);
  const days = useMemo(() => viewDays(day, view), [day, view]);

  const clinicians = useAsync(() => fhir.search<Practitioner>('Practitioner', { _count: 200, active: 'true' }), []);
  useEffect(() => {
    if (!practitioner && clinicians.data?.resources[0]) setPractitioner(`Practitioner/${clinicians.data.resources[0].id}`);
  }, [clinicians.data, practitioner]);
  useEffect(() => {
    if (!practitioner) return;
    const q = new URLSearchParams({ practitioner, view, date: isoDate(day) });
    navigate(`${window.location.pathname}?${q}`, true);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [practitioner, view, day]);

  const calendar = useAsync(() => (practitioner ? loadCalendar(fhir, practitioner, days) : Promise.resolve(undefined)), [practitioner, days[0].getTime(), days.length]);
  const data = calendar.data;
  const scheduled = (data?.schedules.length ?? 0) > 0;
  const layout = useMemo(() => layoutSchedule(days, data?.slots ?? [], data?.appointments ?? [], new Date()), [days, data]);
  const step = (n: number) => setDay((d) => new Date(d.getFullYear(), d.getMonth(), d.getDate() + n * (view === 'week' ? 7 : 1)));
  const finished = (message: string) => {
    setBooking(undefined);
    setChange(undefined);
    setDone((d) => ({ text: message, n: (d?.n ?? 0) + 1 }));
    calendar.reload();
  };
  const dropped = useWrite<Appointment>((a) => {
    if (a.start) setDay(new Date(a.start));
    finished('The appointment is moved.');
  }, calendar.reload);
  const actions: RowActions = {
    drop: (id, row) => {
      const a = data?.appointments.find((x) => x.id === id);
      const run = a && slotRun(data?.slots ?? [], row.slots[0], lengthOf(a), a);
      if (!a) return;
      if (!run) return dropped.setError(`The appointment lasts ${lengthOf(a)} minutes: there are not enough free slots from ${timeText(row.start)}.`);
      void dropped.run(() => fhir.update(movedToSlots(a, run)));
    },
    book: (row: ScheduleRow) => setBooking({ slot: row.slots[0], daySlots: (data?.slots ?? []).filter((s) => isoDate(new Date(s.start!)) === isoDate(new Date(row.start))) }),
    move: (appointment, patientName) => setChange({ kind: 'move', appointment, patientName }),
    cancel: (appointment, patientName) => setChange({ kind: 'cancel', appointment, patientName }),
  };

  return (
    <Stack>
      <Group justify="space-between" wrap="wrap">
        <Title order={2}>Schedule</Title>
        <Group wrap="wrap">
          <Select
            aria-label="Clinician"
            searchable
            w={240}
            data={(clinicians.data?.resources ?? []).map((p) => ({ value: `Practitioner/${p.id}`, label: nameOf(p.name) + (`Practitioner/${p.id}` === me ? ' (me)' : '') }))}
            value={practitioner}
            onChange={setPractitioner}
            allowDeselect={false}
          />
          <SegmentedControl aria-label="View" value={view} onChange={(v) => setView(v as 'day' | 'week')} data={[{ value: 'day', label: 'Day' }, { value: 'week', label: 'Week' }]} />
          <Group gap={4}>
            <ActionIcon variant="default" size="lg" onClick={() => step(-1)} aria-label={view === 'week' ? 'Previous week' : 'Previous day'}>
              ‹
            </ActionIcon>
            <Button variant="default" onClick={() => setDay(new Date())}>
              Today
            </Button>
            <ActionIcon variant="default" size="lg" onClick={() => step(1)} aria-label={view === 'week' ? 'Next week' : 'Next day'}>
              ›
            </ActionIcon>
          </Group>
          {data && !scheduled && (
            <Button onClick={() => setBooking({ date: isoDate(day), time: '09:00' })} disabled={!practitioner}>
              Book appointment
            </Button>
          )}
        </Group>
      </Group>
      <Text fw={600} aria-live="polite">
        {view === 'day' ? LONG_DAY.format(days[0]) : `Week of ${LONG_DAY.format(days[0])}`}
        {data && (
          <Text span c="dimmed" fw={400} ml="sm" size="sm">
            {scheduled ? 'Choose a free slot to book.' : 'This clinician has no schedule: book at any time.'}
          </Text>
        )}
      </Text>
      <div role="status" aria-live="polite">
        {done && (
          <Alert ref={doneRef} tabIndex={-1} color="teal" withCloseButton onClose={() => setDone(undefined)} closeButtonLabel="Dismiss" data-testid="schedule-done">
            {done.text}
          </Alert>
        )}
      </div>
      {dropped.error && (
        <Alert color="red" role="alert" withCloseButton onClose={() => dropped.setError(undefined)} closeButtonLabel="Dismiss">
          {dropped.error}
        </Alert>
      )}
      {calendar.error && <ErrorNotice error={calendar.error} onRetry={calendar.reload} />}
      {calendar.loading && !data && <PageLoader label="Loading the schedule" />}
      {data && <WithheldNotice show={data.suppressed} />}
      {data?.truncated && (
        <Alert color="yellow" role="status">
          This range has more slots or appointments than one view reads; choose the day view to see them all.
        </Alert>
      )}
      {data && (
        <SimpleGrid cols={view === 'week' ? { base: 1, sm: 3, lg: 7 } : 1} maw={view === 'week' ? undefined : 880} spacing="xs" data-testid="schedule" aria-busy={calendar.loading}>
          {layout.map((d) => (
            <DayColumn key={d.date} day={d} compact={view === 'week'} scheduled={scheduled} patients={data.patients} actions={actions} />
          ))}
        </SimpleGrid>
      )}
      {booking && practitioner && (
        <BookModal
          practitioner={practitioner}
          target={booking}
          onClose={() => setBooking(undefined)}
          onStale={calendar.reload}
          onBooked={(a) => {
            if (a.start) setDay(new Date(a.start));
            finished('The appointment is booked.');
          }}
        />
      )}
      {change?.kind === 'move' && (
        <MoveModal appointment={change.appointment} patientName={change.patientName} schedules={data?.schedules ?? []} onClose={() => setChange(undefined)} onStale={calendar.reload} onSaved={(a: Appointment) => {
            if (a.start) setDay(new Date(a.start));
            finished('The appointment is moved.');
          }}
        />
      )}
      {change?.kind === 'cancel' && (
        <CancelModal appointment={change.appointment} patientName={change.patientName} onClose={() => setChange(undefined)} onStale={calendar.reload} onSaved={() => finished(change.appointment.slot?.length ? 'The appointment is cancelled; its slot is free again.' : 'The appointment is cancelled.')} />
      )}
    </Stack>
  );
}
