import { Select } from '@mantine/core';
import type { Patient } from '@medplum/fhirtypes';
import { useEffect, useState } from 'react';
import { nameOf } from '../lib/format.ts';
import { useSession } from '../lib/session.tsx';

/** A patient by name: `Patient?name=` as the user types (at least two letters), under the user's access. */
export function PatientPicker({ value, onChange }: { value: string | null; onChange: (v: string | null) => void }) {
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
