import { Card, List, SimpleGrid, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { isActiveCondition, isActiveMedication, latest, seriesOf, type ChartData } from '../lib/chart-data.ts';
import { codeText, dateText, quantityText } from '../lib/format.ts';
import { WithheldNotice } from '../components/PageState.tsx';
import { isActiveAllergy } from '../lib/chart-edits.ts';

function Panel({ title, children, empty }: { title: string; children: ReactNode; empty: boolean }) {
  return (
    <Card withBorder padding="sm" component="section" aria-label={title}>
      <Title order={3} size="h5" mb="xs">
        {title}
      </Title>
      {empty ? (
        <Text size="sm" c="dimmed">
          None recorded
        </Text>
      ) : (
        children
      )}
    </Card>
  );
}

export function SummarySection({ data: d }: { data: ChartData }) {
  const problems = d.conditions.filter(isActiveCondition);
  const meds = d.medications.filter(isActiveMedication);
  const vitals = latest(seriesOf(d.vitals));
  const allergies = d.allergies.filter(isActiveAllergy);
  const labs = d.labs.slice(0, 8);
  return (
    <>
      <WithheldNotice show={d.withheld} />
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm">
        <Panel title="Active problems" empty={!problems.length}>
          <List size="sm" spacing={2}>
            {problems.map((c) => (
              <List.Item key={c.id}>{codeText(c.code)}</List.Item>
            ))}
          </List>
        </Panel>
        <Panel title="Medications" empty={!meds.length}>
          <List size="sm" spacing={2}>
            {meds.map((m) => (
              <List.Item key={m.id}>
                {codeText(m.medicationCodeableConcept)}
                {m.dosageInstruction?.[0]?.text && (
                  <Text span size="xs" c="dimmed">
                    {' '}
                    — {m.dosageInstruction[0].text}
                  </Text>
                )}
              </List.Item>
            ))}
          </List>
        </Panel>
        <Panel title="Allergies" empty={!allergies.length}>
          <List size="sm" spacing={2}>
            {allergies.map((a) => (
              <List.Item key={a.id}>
                {codeText(a.code)}
                {a.reaction?.[0]?.manifestation?.[0] && ` (${codeText(a.reaction[0].manifestation[0])})`}
              </List.Item>
            ))}
          </List>
        </Panel>
        <Panel title="Latest vitals" empty={!vitals.length}>
          <Table fz="sm" withRowBorders={false}>
            <Table.Tbody>
              {vitals.map((v) => (
                <Table.Tr key={v.label}>
                  <Table.Td>{v.label}</Table.Td>
                  <Table.Td fw={600}>{v.value}</Table.Td>
                  <Table.Td c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                    {dateText(v.date)}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Panel>
        <Panel title="Recent results" empty={!labs.length}>
          <Table fz="sm" withRowBorders={false}>
            <Table.Tbody>
              {labs.map((o) => (
                <Table.Tr key={o.id}>
                  <Table.Td>{codeText(o.code)}</Table.Td>
                  <Table.Td fw={600}>{quantityText(o.valueQuantity) || o.valueString || codeText(o.valueCodeableConcept)}</Table.Td>
                  <Table.Td c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                    {dateText(o.effectiveDateTime)}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Panel>
        <Panel title="Immunizations" empty={!d.immunizations.length}>
          <List size="sm" spacing={2}>
            {d.immunizations.slice(0, 8).map((i) => (
              <List.Item key={i.id}>
                {codeText(i.vaccineCode)} — {dateText(i.occurrenceDateTime)}
              </List.Item>
            ))}
          </List>
        </Panel>
        <Panel title="Recent encounters" empty={!d.encounters.length}>
          <List size="sm" spacing={2}>
            {d.encounters.map((e) => (
              <List.Item key={e.id}>
                {dateText(e.period?.start)} — {codeText(e.type?.[0])}
              </List.Item>
            ))}
          </List>
        </Panel>
        <Panel title="Upcoming appointments" empty={!d.appointments.length}>
          <List size="sm" spacing={2}>
            {d.appointments.map((a) => (
              <List.Item key={a.id}>
                {dateText(a.start, true)} — {a.description ?? codeText(a.serviceType?.[0] ?? a.appointmentType)}
              </List.Item>
            ))}
          </List>
        </Panel>
      </SimpleGrid>
    </>
  );
}
