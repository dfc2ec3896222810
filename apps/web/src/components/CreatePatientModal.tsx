import { Alert, Button, Group, Modal, NativeSelect, SimpleGrid, TextInput } from '@mantine/core';
import type { Patient } from '@medplum/fhirtypes';
import { useState, type FormEvent } from 'react';
import { FhirError } from '../lib/fhir-client.ts';
import { myOrganization } from '../lib/my-organization.ts';
import { fieldErrors } from '../lib/outcome.ts';
import { EMPTY_PATIENT_FORM, PATIENT_FIELD_PATHS, patientFromForm, validatePatientForm, type PatientForm } from '../lib/patient-form.ts';
import { useSession } from '../lib/session.tsx';

const MRN_SYSTEM = 'https://confide.example/mrn';

export function CreatePatientModal({ opened, onClose, onCreated }: { opened: boolean; onClose: () => void; onCreated: (p: Patient) => void }) {
  const { fhir, tokens } = useSession();
  const [form, setForm] = useState<PatientForm>(EMPTY_PATIENT_FORM);
  const [errors, setErrors] = useState<Partial<Record<keyof PatientForm, string>>>({});
  const [formErrors, setFormErrors] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const set = (k: keyof PatientForm) => (v: string) => setForm((f) => ({ ...f, [k]: v }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local = validatePatientForm(form);
    setErrors(local);
    setFormErrors([]);
    if (Object.keys(local).length) return;
    setSaving(true);
    try {
      const org = await myOrganization(fhir, tokens.fhirUser);
      const created = await fhir.create(patientFromForm(form, org, MRN_SYSTEM));
      setForm(EMPTY_PATIENT_FORM);
      onClose();
      onCreated(created);
    } catch (err) {
      if (err instanceof FhirError) {
        const mapped = fieldErrors(err.outcome, PATIENT_FIELD_PATHS);
        setErrors(mapped.fields);
        setFormErrors(mapped.form.length || Object.keys(mapped.fields).length ? mapped.form : [err.message]);
      } else setFormErrors([err instanceof Error ? err.message : String(err)]);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title="New patient" size="lg">
      <form onSubmit={submit} noValidate aria-label="New patient">
        {formErrors.map((m) => (
          <Alert key={m} color="red" mb="sm" role="alert">
            {m}
          </Alert>
        ))}
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="Family name" required value={form.family} error={errors.family} onChange={(e) => set('family')(e.currentTarget.value)} data-autofocus />
          <TextInput label="Given name(s)" required value={form.given} error={errors.given} onChange={(e) => set('given')(e.currentTarget.value)} />
          <TextInput label="Birth date" description="YYYY-MM-DD" required value={form.birthDate} error={errors.birthDate} onChange={(e) => set('birthDate')(e.currentTarget.value)} />
          <NativeSelect
            label="Sex (administrative)"
            required
            data={[
              { value: '', label: 'Choose…' },
              { value: 'female', label: 'Female' },
              { value: 'male', label: 'Male' },
              { value: 'other', label: 'Other' },
              { value: 'unknown', label: 'Unknown' },
            ]}
            value={form.gender}
            error={errors.gender}
            onChange={(e) => set('gender')(e.currentTarget.value)}
          />
          <TextInput label="Phone" value={form.phone} error={errors.phone} onChange={(e) => set('phone')(e.currentTarget.value)} />
          <TextInput label="Email" value={form.email} error={errors.email} onChange={(e) => set('email')(e.currentTarget.value)} />
          <TextInput label="Medical record number" value={form.mrn} error={errors.mrn} onChange={(e) => set('mrn')(e.currentTarget.value)} />
        </SimpleGrid>
        <Group justify="flex-end" mt="md">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={saving}>
            Create patient
          </Button>
        </Group>
      </form>
    </Modal>
  );
}
