import { Button, Group, Modal, Text } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { idlePhase, secondsLeft, type IdlePhase } from '../lib/idle.ts';
import { useSession } from '../lib/session.tsx';

const ACTIVITY = ['mousedown', 'keydown', 'touchstart', 'wheel'] as const;

/** Warns before the idle time-out, keeps the grant alive while the user works, signs out at the limit. */
export function IdleGuard({ idleMinutes, onExpired }: { idleMinutes?: number; onExpired: () => void }) {
  const { auth } = useSession();
  const last = useRef(Date.now());
  const lastRefresh = useRef(Date.now());
  const [phase, setPhase] = useState<IdlePhase>('active');
  const [left, setLeft] = useState(0);

  useEffect(() => {
    const mark = () => {
      if (idlePhase(Date.now() - last.current, idleMinutes) === 'active') last.current = Date.now();
    };
    for (const e of ACTIVITY) window.addEventListener(e, mark, { passive: true });
    const timer = window.setInterval(() => {
      const idle = Date.now() - last.current;
      const p = idlePhase(idle, idleMinutes);
      setPhase(p);
      setLeft(secondsLeft(idle, idleMinutes));
      if (p === 'expired') onExpired();
      // Work in the page without server calls (reading, typing) still counts as use of the session.
      else if (p === 'active' && idle < 60_000 && Date.now() - lastRefresh.current > 5 * 60_000) {
        lastRefresh.current = Date.now();
        auth.refresh().catch(() => undefined);
      }
    }, 1000);
    return () => {
      for (const e of ACTIVITY) window.removeEventListener(e, mark);
      window.clearInterval(timer);
    };
  }, [auth, idleMinutes, onExpired]);

  const stay = () => {
    last.current = Date.now();
    lastRefresh.current = Date.now();
    setPhase('active');
    auth.refresh().catch(() => onExpired());
  };

  return (
    <Modal opened={phase === 'warning'} onClose={stay} title="Are you still there?" centered>
      <Text mb="md" role="alert">
        For privacy you will be signed out in {left} seconds.
      </Text>
      <Group justify="flex-end">
        <Button variant="default" onClick={() => onExpired()}>
          Sign out
        </Button>
        <Button onClick={stay} data-autofocus>
          Stay signed in
        </Button>
      </Group>
    </Modal>
  );
}
