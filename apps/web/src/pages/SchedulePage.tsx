import { ActionIcon, Alert, Badge, Button, Group, Modal, NumberInput, Paper, SegmentedControl, Select, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import type { Appointment, Patient, Practitioner } from '@medplum/fhirtypes';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { ErrorNotice, PageLoader, WithheldNotice } from '../components/PageState.tsx';
import { appointmentQuery, bookedAppointment, byDay, cancelled, moved, patientOf, patientsById, VISIT_KINDS, viewDays } from '../lib/appointments.ts';
import { FhirError } from '../lib/fhir-client.ts';
import { codeText, isoDate, nameOf, timeText } from '../lib/format.ts';
import { Link, useRouter } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import { useAsync } from '../lib/use-async.ts';

const DAY = new Intl.DateTimeFormat('en-US', { weekday: 'short', month: 'short', day: 'numeric' });
const LONG_DAY = new Intl.DateTimeFormat('en-US', { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' });

export default function SchedulePage() {
  const { fhir, tokens } = useSession();
  const { search, navigate } = useRouter();
  const me = tokens.fhirUser?.startsWith('Practitioner/') ? tokens.fhirUser : undefined;
  const [practitioner, setPractitioner] = useState<string | null>(search.get('practitioner') ?? me ?? null);
  const [view, setView] = useState<'day' | 'week'>(search.get('view') === 'week' ? 'week' : 'day');
  const [day, setDay] = useState(() => (search.get('date') ? new Date(search.get('date') + 'T00:00') : new Date()));
  const [booking, setBooking] = useState<{ date: string; time: string } | undefined>();
  const [editing, setEditing] = useState<Appointment | undefined>();
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

  const appts = useAsync(() => (practitioner ? fhir.search<Appointment>('Appointment', appointmentQuery(practitioner, days)) : Promise.resolve(undefined)), [practitioner, days[0].getTime(), days.length]);
  const patients = patientsById(appts.data?.included ?? []);
  const grouped = byDay((appts.data?.resources ?? []).filter((a) => a.status !== 'cancelled' && a.status !== 'noshow' && a.status !== 'entered-in-error'), days);
  const step = (n: number) => setDay((d) => new Date(d.getFullYear(), d.getMonth(), d.getDate() + n * (view === 'week' ? 7 : 1)));

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
          <Button onClick={() => setBooking({ date: isoDate(day), time: '09:00' })} disabled={!practitioner}>
            Book appointment
          </Button>
        </Group>
      </Group>
      <Text fw={600} aria-live="polite">
        {view === 'day' ? LONG_DAY.format(days[0]) : `Week of ${LONG_DAY.format(days[0])}`}
      </Text>
      {appts.error && <ErrorNotice error={appts.error} onRetry={appts.reload} />}
      {appts.loading && !appts.data && <PageLoader label="Loading the schedule" />}
      {appts.data && <WithheldNotice show={appts.data.suppressed} />}
      <SimpleGrid cols={view === 'week' ? { base: 1, sm: 3, lg: 7 } : 1} spacing="xs" data-testid="schedule">
        {days.map((d) => {
          const list = grouped.get(isoDate(d)) ?? [];
          return (
            <Paper key={d.getTime()} withBorder p="xs" component="section" aria-label={DAY.format(d)}>
              {view === 'week' && (
                <Text fw={600} size="sm" mb={4} c={isoDate(d) === isoDate(new Date()) ? 'teal.8' : undefined}>
                  {DAY.format(d)}
                </Text>
              )}
              {list.length === 0 && (
                <Text size="sm" c="dimmed">
                  No appointments
                </Text>
              )}
              <Stack gap={6}>
                {list.map((a) => (
                  <AppointmentCard key={a.id} a={a} patient={patients.get(patientOf(a) ?? '')} compact={view === 'week'} onEdit={() => setEditing(a)} />
                ))}
              </Stack>
            </Paper>
          );
        })}
      </SimpleGrid>
      {booking && practitioner && (
        <BookModal
          practitioner={practitioner}
          initial={booking}
          onClose={() => setBooking(undefined)}
          onBooked={(a) => {
            setBooking(undefined);
            if (a.start) setDay(new Date(a.start));
            appts.reload();
          }}
        />
      )}
      {editing && (
        <EditModal
          appointment={editing}
          onClose={() => setEditing(undefined)}
          onSaved={() => {
            setEditing(undefined);
            appts.reload();
          }}
        />
      )}
    </Stack>
  );
}

function AppointmentCard({ a, patient, compact, onEdit }: { a: Appointment; patient?: Patient; compact: boolean; onEdit: () => void }) {
  const ref = patientOf(a);
  const display = patient ? nameOf(patient.name, 'list') : (a.participant?.find((p) => p.actor?.reference === ref)?.actor?.display ?? 'Patient');
  return (
    <Paper withBorder p={6} radius="sm" bg="teal.0" data-testid="appointment">
      <Group justify="space-between" gap={4} wrap={compact ? 'wrap' : 'nowrap'}>
        <div>
          <Text size="sm" fw={600}>
            {timeText(a.start)}–{timeText(a.end)}{' '}
            {ref ? (
              <Link href={`/patients/${ref.split('/')[1]}`} aria-label={`Open the chart of ${display}`}>
                {display}
              </Link>
            ) : (
              display
            )}
          </Text>
          <Text size="xs" c="dimmed">
            {a.description ?? codeText(a.appointmentType ?? a.serviceType?.[0])} {a.status !== 'booked' && <Badge size="xs">{a.status}</Badge>}
          </Text>
        </div>
        <Button size="compact-xs" variant="subtle" onClick={onEdit} aria-label={`Move or cancel the ${timeText(a.start)} appointment with ${display}`}>
          Change
        </Button>
      </Group>
    </Paper>
  );
}

function conflictMessage(err: unknown): string {
  if (err instanceof FhirError && err.status === 409) return 'That time overlaps another appointment of this clinician. Choose another time.';
  return err instanceof Error ? err.message : String(err);
}

function PatientPicker({ value, onChange }: { value: string | null; onChange: (v: string | null) => void }) {
  const { fhir } = useSession();
  const [query, setQuery] = useState('');
  const [options, setOptions] = useState<{ value: string; label: string }[]>([]);
  useEffect(() => {
    if (query.trim().length < 2) return;
    let live = true;
    const t = window.setTimeout(() => {
      fhir
        .search<Patient>('Patient', { name: query.trim(), _count: 15 })
        .then((r) => live && setOptions(r.resources.map((p) => ({ value: `Patient/${p.id}`, label: `${nameOf(p.name, 'list')} (${p.birthDate ?? '?'})` }))))
        .catch(() => undefined);
    }, 250);
    return () => {
      live = false;
      window.clearTimeout(t);
    };
  }, [query, fhir]);
  return (
    <Select
      label="Patient"
      placeholder="Type at least two letters of the name"
      searchable
      required
      data={options}
      value={value}
      onChange={onChange}
      searchValue={query}
      onSearchChange={setQuery}
      filter={({ options: o }) => o}
      nothingFoundMessage={query.trim().length < 2 ? 'Keep typing…' : 'No patient found'}
      data-autofocus
    />
  );
}

function BookModal({ practitioner, initial, onClose, onBooked }: { practitioner: string; initial: { date: string; time: string }; onClose: () => void; onBooked: (a: Appointment) => void }) {
  const { fhir } = useSession();
  const [patient, setPatient] = useState<string | null>(null);
  const [date, setDate] = useState(initial.date);
  const [time, setTime] = useState(initial.time);
  const [minutes, setMinutes] = useState<number>(50);
  const [kind, setKind] = useState<string | null>('ROUTINE');
  const [error, setError] = useState<string>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!patient) return setError('Choose the patient.');
    try {
      const a = await fhir.create(bookedAppointment({ patient, practitioner, date, time, minutes, kind: kind ?? 'ROUTINE' }));
      onBooked(a);
    } catch (err) {
      setError(conflictMessage(err));
    }
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
          <PatientPicker value={patient} onChange={setPatient} />
          <Group grow>
            <TextInput label="Date" description="YYYY-MM-DD" value={date} onChange={(e) => setDate(e.currentTarget.value)} required />
            <TextInput label="Start time" description="HH:MM, 24-hour" value={time} onChange={(e) => setTime(e.currentTarget.value)} required />
          </Group>
          <Group grow>
            <NumberInput label="Minutes" min={5} max={480} step={5} value={minutes} onChange={(v) => setMinutes(Number(v) || 30)} />
            <Select label="Visit type" data={VISIT_KINDS.map((k) => ({ value: k.code, label: k.display }))} value={kind} onChange={setKind} allowDeselect={false} />
          </Group>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit">Book</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function EditModal({ appointment, onClose, onSaved }: { appointment: Appointment; onClose: () => void; onSaved: () => void }) {
  const { fhir } = useSession();
  const start = appointment.start ? new Date(appointment.start) : new Date();
  const [date, setDate] = useState(isoDate(start));
  const [time, setTime] = useState(`${String(start.getHours()).padStart(2, '0')}:${String(start.getMinutes()).padStart(2, '0')}`);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  const run = async (f: () => Appointment) => {
    try {
      await fhir.update(f());
      onSaved();
    } catch (err) {
      setError(conflictMessage(err));
    }
  };
  return (
    <Modal opened onClose={onClose} title="Move or cancel the appointment">
      <Stack>
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        <Group grow>
          <TextInput label="New date" value={date} onChange={(e) => setDate(e.currentTarget.value)} />
          <TextInput label="New start time" value={time} onChange={(e) => setTime(e.currentTarget.value)} />
        </Group>
        <Button onClick={() => void run(() => moved(appointment, date, time))}>Move</Button>
        <TextInput label="Reason for cancelling" value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
        <Button color="red" variant="light" onClick={() => void run(() => cancelled(appointment, reason))}>
          Cancel appointment
        </Button>
      </Stack>
    </Modal>
  );
}
