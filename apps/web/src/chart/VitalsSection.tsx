import { Button, Group, Paper, SimpleGrid, Stack, TextInput, Title, Text } from '@mantine/core';
import { AddPanel, errorText } from '../components/AddPanel.tsx';
import type { Observation } from '@medplum/fhirtypes';
import { useMemo, useState, type FormEvent } from 'react';
import { TrendChart } from '../components/TrendChart.tsx';
import { RecentMeasurements } from './RecentMeasurements.tsx';
import { ErrorNotice, PageLoader, WithheldNotice } from '../components/PageState.tsx';
import { loadObservations, seriesOf } from '../lib/chart-data.ts';
import { useAsync } from '../lib/use-async.ts';
import { useSession } from '../lib/session.tsx';

const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const VITAL_SIGNS = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs', display: 'Vital Signs' }] }];

interface VitalsForm {
  systolic: string;
  diastolic: string;
  heartRate: string;
  weightKg: string;
  heightCm: string;
  tempC: string;
}

/** Observations per the base R4 vital-signs profiles (observation-vitalsigns.html), one per measurement. */
export function vitalObservations(f: VitalsForm, patientId: string, when: string, performer?: string): { observations: Observation[]; errors: Partial<Record<keyof VitalsForm, string>> } {
  const errors: Partial<Record<keyof VitalsForm, string>> = {};
  const num = (k: keyof VitalsForm, min: number, max: number): number | undefined => {
    const s = f[k].trim();
    if (!s) return undefined;
    const n = Number(s);
    if (!Number.isFinite(n) || n < min || n > max) errors[k] = `Enter a number from ${min} to ${max}.`;
    return n;
  };
  const base = (code: string, display: string, profile: string): Observation => ({
    resourceType: 'Observation',
    meta: { profile: [`http://hl7.org/fhir/StructureDefinition/${profile}`] },
    status: 'final',
    category: VITAL_SIGNS,
    code: { coding: [{ system: LOINC, code, display }], text: display },
    subject: { reference: `Patient/${patientId}` },
    effectiveDateTime: when,
    ...(performer ? { performer: [{ reference: performer }] } : {}),
  });
  const q = (value: number, unit: string, code: string) => ({ value, unit, system: UCUM, code });
  const out: Observation[] = [];
  const sys = num('systolic', 40, 300);
  const dia = num('diastolic', 20, 200);
  if ((sys === undefined) !== (dia === undefined)) errors[sys === undefined ? 'systolic' : 'diastolic'] = 'Enter both blood pressure values.';
  else if (sys !== undefined && dia !== undefined)
    out.push({
      ...base('85354-9', 'Blood pressure panel', 'bp'),
      component: [
        { code: { coding: [{ system: LOINC, code: '8480-6', display: 'Systolic blood pressure' }], text: 'Systolic blood pressure' }, valueQuantity: q(sys, 'mmHg', 'mm[Hg]') },
        { code: { coding: [{ system: LOINC, code: '8462-4', display: 'Diastolic blood pressure' }], text: 'Diastolic blood pressure' }, valueQuantity: q(dia, 'mmHg', 'mm[Hg]') },
      ],
    });
  const hr = num('heartRate', 20, 250);
  if (hr !== undefined) out.push({ ...base('8867-4', 'Heart rate', 'heartrate'), valueQuantity: q(hr, 'beats/min', '/min') });
  const w = num('weightKg', 0.5, 400);
  if (w !== undefined) out.push({ ...base('29463-7', 'Body weight', 'bodyweight'), valueQuantity: q(w, 'kg', 'kg') });
  const h = num('heightCm', 20, 250);
  if (h !== undefined) out.push({ ...base('8302-2', 'Body height', 'bodyheight'), valueQuantity: q(h, 'cm', 'cm') });
  const t = num('tempC', 30, 45);
  if (t !== undefined) out.push({ ...base('8310-5', 'Body temperature', 'bodytemp'), valueQuantity: q(t, 'Cel', 'Cel') });
  return { observations: Object.keys(errors).length ? [] : out, errors };
}

const EMPTY: VitalsForm = { systolic: '', diastolic: '', heartRate: '', weightKg: '', heightCm: '', tempC: '' };

export function VitalsSection({ patientId, onChange }: { patientId: string; onChange: () => void }) {
  const { fhir, tokens } = useSession();
  const loaded = useAsync(() => loadObservations(fhir, patientId), [patientId]);
  const vitals = loaded.data?.vitals;
  const labs = loaded.data?.labs;
  const [form, setForm] = useState<VitalsForm>(EMPTY);
  const [errors, setErrors] = useState<Partial<Record<keyof VitalsForm, string>>>({});
  const [error, setError] = useState<string>();
  const vitalSeries = useMemo(() => seriesOf(vitals ?? []).filter((s) => s.points.length > 0), [vitals]);
  const labSeries = useMemo(() => seriesOf(labs ?? []).filter((s) => s.points.length > 1), [labs]);
  const field = (k: keyof VitalsForm, label: string) => (
    <TextInput label={label} value={form[k]} error={errors[k]} inputMode="decimal" onChange={(e) => setForm({ ...form, [k]: e.currentTarget.value })} />
  );

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const { observations, errors: errs } = vitalObservations(form, patientId, new Date().toISOString(), tokens.fhirUser);
    setErrors(errs);
    if (Object.keys(errs).length) return;
    if (!observations.length) return setError('Enter at least one measurement.');
    setError(undefined);
    try {
      for (const o of observations) await fhir.create(o);
      setForm(EMPTY);
      loaded.reload();
      onChange();
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <Stack>
      <AddPanel title="Record vitals" onSubmit={save} error={error}>
        <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }}>
          {field('systolic', 'Systolic (mmHg)')}
          {field('diastolic', 'Diastolic (mmHg)')}
          {field('heartRate', 'Heart rate (/min)')}
          {field('weightKg', 'Weight (kg)')}
          {field('heightCm', 'Height (cm)')}
          {field('tempC', 'Temperature (°C)')}
        </SimpleGrid>
        <Group justify="flex-end" mt="sm">
          <Button type="submit">Save vitals</Button>
        </Group>
      </AddPanel>
      {loaded.error && <ErrorNotice error={loaded.error} onRetry={loaded.reload} />}
      {!loaded.data && !loaded.error && <PageLoader label="Loading vitals and results" />}
      <WithheldNotice show={!!loaded.data?.withheld} />
      {vitals && (
        <RecentMeasurements
          observations={vitals}
          onChange={() => {
            loaded.reload();
            onChange();
          }}
        />
      )}
      <Title order={3} size="h4">
        Vitals over time
      </Title>
      {loaded.data && vitalSeries.length === 0 && <Text c="dimmed">No vitals recorded.</Text>}
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
        {vitalSeries.map((s) => (
          <Paper key={s.key} withBorder p="xs">
            <TrendChart series={s} />
          </Paper>
        ))}
      </SimpleGrid>
      <Title order={3} size="h4">
        Lab results over time
      </Title>
      {loaded.data && labSeries.length === 0 && <Text c="dimmed">No repeated lab results.</Text>}
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
        {labSeries.map((s) => (
          <Paper key={s.key} withBorder p="xs">
            <TrendChart series={s} />
          </Paper>
        ))}
      </SimpleGrid>
    </Stack>
  );
}
