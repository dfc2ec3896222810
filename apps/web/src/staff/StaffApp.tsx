import { AppShell, Burger, Button, Group, MantineProvider, NavLink, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { lazy, Suspense, type ReactNode } from 'react';
import { BreakGlassNavLink } from '../components/BreakGlassNavLink.tsx';
import { IdleGuard } from '../components/IdleGuard.tsx';
import { PageLoader } from '../components/PageState.tsx';
import { SignedIn } from '../components/SignedIn.tsx';
import { Link, matchPath, Router, useRouter } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import { theme } from '../theme.ts';
import { PatientsPage } from '../pages/PatientsPage.tsx';

// The chart and the schedule are loaded when first opened, so the first screen downloads less.
const ChartPage = lazy(() => import('../pages/ChartPage.tsx'));
const SchedulePage = lazy(() => import('../pages/SchedulePage.tsx'));
const NotePage = lazy(() => import('../pages/NotePage.tsx'));
const BreakGlassReviewPage = lazy(() => import('../pages/BreakGlassReviewPage.tsx'));

export function StaffApp() {
  return (
    <MantineProvider theme={theme}>
      <Router>
        <SignedIn redirectPath="/app/callback" home="/">
          <Shell />
        </SignedIn>
      </Router>
    </MantineProvider>
  );
}

function Shell() {
  const { tokens, signOut } = useSession();
  const { path } = useRouter();
  const [opened, { toggle, close }] = useDisclosure();
  const nav: { href: string; label: string; active: boolean }[] = [
    { href: '/', label: 'Schedule', active: path === '/' || path.startsWith('/schedule') },
    { href: '/patients', label: 'Patients', active: path.startsWith('/patients') },
  ];
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 200, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group>
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Menu" />
            <Title order={1} size="h3" c="teal.8">
              Confide
            </Title>
          </Group>
          <Group>
            <Text size="sm" c="dimmed" data-testid="user-name">
              {tokens.name ?? tokens.username ?? ''}
            </Text>
            <Button variant="default" size="xs" onClick={() => void signOut()}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        {nav.map((n) => (
          <NavLink key={n.href} component={Link} href={n.href} label={n.label} active={n.active} onClick={close} aria-current={n.active ? 'page' : undefined} />
        ))}
        <BreakGlassNavLink active={path === '/break-glass'} path={path} onClick={close} />
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <IdleGuard onExpired={() => void signOut()} />
        <Suspense fallback={<PageLoader />}>
          <Page />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}

function Page(): ReactNode {
  const { path } = useRouter();
  let m: Record<string, string> | undefined;
  if (path === '/' || path === '/schedule') return <SchedulePage />;
  if (path === '/patients') return <PatientsPage />;
  if (path === '/break-glass') return <BreakGlassReviewPage />;
  if ((m = matchPath('/patients/:id/notes/:noteId', path))) return <NotePage patientId={m.id} noteId={m.noteId} />;
  if ((m = matchPath('/patients/:id/:tab', path))) return <ChartPage patientId={m.id} tab={m.tab} />;
  if ((m = matchPath('/patients/:id', path))) return <ChartPage patientId={m.id} tab="summary" />;
  return <Text>Nothing here. <Link href="/">Back to the schedule</Link></Text>;
}
