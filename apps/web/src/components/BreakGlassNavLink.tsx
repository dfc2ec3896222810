import { Badge, NavLink } from '@mantine/core';
import { useEffect } from 'react';
import { REVIEWED_EVENT, reviewSummary } from '../lib/break-glass-api.ts';
import { Link } from '../lib/router.tsx';
import { useFhir } from '../lib/session.tsx';
import { useAsync } from '../lib/use-async.ts';

/**
 * "Break-the-glass review" in the navigation, with the count of unreviewed grants, for a privacy officer only: the
 * server tells anyone else they do not review (`/api/break-glass/summary`), and then there is no entry at all.
 * Counted again on each page change and review.
 */
export function BreakGlassNavLink({ active, path, onClick }: { active: boolean; path: string; onClick?: () => void }) {
  const fhir = useFhir();
  const count = useAsync(() => reviewSummary(fhir).then((s) => (s.reviewer ? (s.unreviewed ?? 0) : undefined)), [path]);
  const { reload } = count;
  useEffect(() => {
    window.addEventListener(REVIEWED_EVENT, reload);
    return () => window.removeEventListener(REVIEWED_EVENT, reload);
  }, [reload]);
  if (count.data === undefined) return null;
  return (
    <NavLink
      component={Link}
      href="/break-glass"
      label="Break-the-glass review"
      active={active}
      onClick={onClick}
      aria-current={active ? 'page' : undefined}
      rightSection={count.data > 0 ? <Badge color="red" size="sm" circle={count.data < 10} aria-label={`${count.data} unreviewed`} data-testid="btg-unreviewed">{count.data}</Badge> : undefined}
    />
  );
}
