import { Tabs } from '@mantine/core';
import { useEffect } from 'react';
import { AllergiesSection } from '../chart/AllergiesSection.tsx';
import { MedicationsSection } from '../chart/MedicationsSection.tsx';
import { NotesSection } from '../chart/NotesSection.tsx';
import { ProblemsSection } from '../chart/ProblemsSection.tsx';
import { SummarySection } from '../chart/SummarySection.tsx';
import { VitalsSection } from '../chart/VitalsSection.tsx';
import { ErrorNotice, PageLoader } from '../components/PageState.tsx';
import { PatientBanner } from '../components/PatientBanner.tsx';
import { loadChart } from '../lib/chart-data.ts';
import { rememberPatient } from '../lib/recent-patients.ts';
import { useRouter } from '../lib/router.tsx';
import { useFhir } from '../lib/session.tsx';
import { useAsync } from '../lib/use-async.ts';

const TABS = [
  { value: 'summary', label: 'Summary' },
  { value: 'problems', label: 'Problems' },
  { value: 'medications', label: 'Medications' },
  { value: 'allergies', label: 'Allergies' },
  { value: 'vitals', label: 'Vitals & labs' },
  { value: 'notes', label: 'Notes' },
];

export default function ChartPage({ patientId, tab }: { patientId: string; tab: string }) {
  const fhir = useFhir();
  const { navigate } = useRouter();
  const chart = useAsync(() => loadChart(fhir, patientId), [patientId]);
  useEffect(() => {
    if (chart.data) rememberPatient(patientId);
  }, [chart.data, patientId]);

  if (chart.error) return <ErrorNotice error={chart.error} onRetry={chart.reload} />;
  if (!chart.data) return <PageLoader label="Loading the chart" />;
  const d = chart.data;
  const current = TABS.some((t) => t.value === tab) ? tab : 'summary';
  return (
    <>
      <PatientBanner patient={d.patient} allergies={d.allergies} labels={d.securityLabels} withheld={d.withheld} />
      <Tabs value={current} onChange={(v) => navigate(`/patients/${patientId}${v === 'summary' ? '' : '/' + v}`, true)} keepMounted={false}>
        <Tabs.List aria-label="Chart sections" mb="md">
          {TABS.map((t) => (
            <Tabs.Tab key={t.value} value={t.value}>
              {t.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="summary">
          <SummarySection data={d} />
        </Tabs.Panel>
        <Tabs.Panel value="problems">
          <ProblemsSection patientId={patientId} conditions={d.conditions} onChange={chart.reload} />
        </Tabs.Panel>
        <Tabs.Panel value="medications">
          <MedicationsSection patientId={patientId} medications={d.medications} onChange={chart.reload} />
        </Tabs.Panel>
        <Tabs.Panel value="allergies">
          <AllergiesSection patientId={patientId} allergies={d.allergies} onChange={chart.reload} />
        </Tabs.Panel>
        <Tabs.Panel value="vitals">
          <VitalsSection patientId={patientId} onChange={chart.reload} />
        </Tabs.Panel>
        <Tabs.Panel value="notes">
          <NotesSection patientId={patientId} encounters={d.encounters} />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
