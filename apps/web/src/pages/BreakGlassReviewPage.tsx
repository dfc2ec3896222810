import { Badge, Button, Group, Paper, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { ErrorNotice, PageLoader } from '../components/PageState.tsx';
import { GrantReviewForm } from '../components/GrantReviewForm.tsx';
import { listGrants, REVIEW_OUTCOMES, type Grant } from '../lib/break-glass-api.ts';
import { dateText } from '../lib/format.ts';
import { Link } from '../lib/router.tsx';
import { useFhir } from '../lib/session.tsx';
import { useAsync } from '../lib/use-async.ts';

const PAGE = 20;
const outcomeLabel = (o: string) => REVIEW_OUTCOMES.find((x) => x.value === o)?.label ?? o;

/**
 * The privacy officer's break-the-glass review (docs/consent.md "Reviewing break-the-glass"): each emergency access
 * with who, for which patient, why and when, newest first, and a form to record whether it was appropriate.
 */
export default function BreakGlassReviewPage() {
  const fhir = useFhir();
  const [status, setStatus] = useState<'unreviewed' | 'all'>('unreviewed');
  const first = useAsync(() => listGrants(fhir, { status, count: PAGE }), [status]);
  const [grants, setGrants] = useState<Grant[]>([]);
  const [next, setNext] = useState<string>();
  useEffect(() => {
    setGrants(first.data?.grants ?? []);
    setNext(first.data?.next);
  }, [first.data]);
  const more = async () => {
    if (!next) return;
    const page = await listGrants(fhir, next);
    setGrants((g) => [...g, ...page.grants]);
    setNext(page.next);
  };
  const reviewed = (g: Grant) => setGrants((all) => all.map((x) => (x.id === g.id ? g : x)));

  return (
    <Stack>
      <Title order={2}>Break-the-glass review</Title>
      <Group justify="space-between">
        <SegmentedControl aria-label="Which grants" value={status} onChange={(v) => setStatus(v as 'unreviewed' | 'all')} data={[{ value: 'unreviewed', label: 'Unreviewed' }, { value: 'all', label: 'All' }]} />
        {first.data && <Text size="sm" c="dimmed" aria-live="polite">{first.data.unreviewed} unreviewed</Text>}
      </Group>
      {first.loading && !first.data && <PageLoader />}
      {first.error && <ErrorNotice error={first.error} onRetry={first.reload} />}
      {first.data && grants.length === 0 && <Text>No emergency access to review.</Text>}
      {grants.map((g) => (
        <Paper key={g.id} withBorder p="sm" component="article" aria-label={`Emergency access by ${g.user}`}>
          <Stack gap="xs">
            <Group justify="space-between">
              <Text fw={600}>
                {g.user} · <Link href={`/patients/${g.patient.replace(/^Patient\//, '')}`}>{g.patient}</Link>
              </Text>
              <Text size="sm" c="dimmed">
                {dateText(g.started, true)} – {dateText(g.expires, true)}
              </Text>
            </Group>
            <Text>
              <Text span fw={600}>Reason: </Text>
              {g.reason}
            </Text>
            {g.review && (
              <Group gap="xs" data-testid="review">
                <Badge color={g.review.outcome === 'appropriate' ? 'teal' : 'red'}>{outcomeLabel(g.review.outcome)}</Badge>
                <Text size="sm">
                  by {g.review.reviewer}, {dateText(g.review.reviewed, true)}
                  {g.review.comment ? `: ${g.review.comment}` : ''}
                </Text>
              </Group>
            )}
            <GrantReviewForm grant={g} onReviewed={reviewed} />
          </Stack>
        </Paper>
      ))}
      {next && (
        <Group>
          <Button variant="default" onClick={() => void more()}>
            More
          </Button>
        </Group>
      )}
    </Stack>
  );
}
