import { Badge, Group, Paper, Text, Title } from '@mantine/core';
import type { AllergyIntolerance, Patient } from '@medplum/fhirtypes';
import { ageOf, codeText, dateText, identifierText, nameOf, sexOf } from '../lib/format.ts';
import { isActiveAllergy } from '../lib/chart-edits.ts';

/** Labels the banner flags (HL7 v3 ActCode / Confidentiality, DS4P). */
const FLAGS: Record<string, string> = {
  '42CFRPart2': 'Part 2 records present',
  PSY: 'Psychiatry records',
  ETH: 'Substance use records',
  SUD: 'Substance use records',
  HIV: 'HIV records',
  PSYTHPN: 'Psychotherapy notes',
  R: 'Restricted',
  V: 'Very restricted',
};

export function bannerFlags(labels: Set<string>): string[] {
  return Object.entries(FLAGS)
    .filter(([code]) => labels.has(code))
    .map(([, text]) => text);
}

export function PatientBanner({ patient, allergies, labels, withheld }: { patient: Patient; allergies: AllergyIntolerance[]; labels: Set<string>; withheld: boolean }) {
  const active = allergies.filter(isActiveAllergy);
  const flags = bannerFlags(labels);
  return (
    <Paper withBorder p="sm" mb="md" component="section" aria-label="Patient banner" data-testid="patient-banner">
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <div>
          <Title order={2} size="h3">
            {nameOf(patient.name)}
          </Title>
          <Text size="sm">
            {sexOf(patient)} · {ageOf(patient.birthDate)} · born {dateText(patient.birthDate)}
            {identifierText(patient.identifier).map((i) => ` · ${i}`)}
          </Text>
        </div>
        <Group gap="xs">
          {flags.map((f) => (
            <Badge key={f} color="grape" variant="filled">
              {f}
            </Badge>
          ))}
          {withheld && (
            <Badge color="yellow" variant="filled" data-testid="withheld-badge">
              Some records withheld by consent
            </Badge>
          )}
        </Group>
      </Group>
      <Text size="sm" mt={4}>
        <Text span fw={600} c={active.length ? 'red.8' : undefined}>
          Allergies:
        </Text>{' '}
        {active.length ? active.map((a) => codeText(a.code)).join(', ') : allergies.length ? 'none active' : 'none recorded'}
      </Text>
    </Paper>
  );
}
