import { Alert, Button, Group, Select, Stack, Textarea } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { REVIEW_OUTCOMES, reviewGrant, type Grant, type ReviewOutcome } from '../lib/break-glass-api.ts';
import { useFhir } from '../lib/session.tsx';
import { errorText } from './AddPanel.tsx';

/** The privacy officer's finding on one grant; the server's message (e.g. "needs a comment") is shown as it comes. */
export function GrantReviewForm({ grant, onReviewed }: { grant: Grant; onReviewed: (g: Grant) => void }) {
  const fhir = useFhir();
  const [outcome, setOutcome] = useState<ReviewOutcome | null>(grant.review?.outcome ?? null);
  const [comment, setComment] = useState(grant.review?.comment ?? '');
  const [error, setError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (!outcome) return setError('Choose an outcome.');
    setSaving(true);
    setError(undefined);
    try {
      onReviewed(await reviewGrant(fhir, grant.id, { outcome, ...(comment.trim() ? { comment: comment.trim() } : {}) }));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setSaving(false);
    }
  };
  return (
    <form onSubmit={(e) => void onSubmit(e)} aria-label={`Review of the access by ${grant.user}`}>
      <Stack gap="xs">
        <Group align="flex-end" grow>
          <Select label="Outcome" data={REVIEW_OUTCOMES.map((o) => ({ ...o }))} value={outcome} onChange={(v) => setOutcome(v as ReviewOutcome | null)} allowDeselect={false} />
          <Textarea label="Comment" description="Required unless appropriate" value={comment} onChange={(e) => setComment(e.currentTarget.value)} minRows={2} maxLength={2000} />
        </Group>
        {error && (
          <Alert color="red" role="alert" p="xs">
            {error}
          </Alert>
        )}
        <Group>
          <Button type="submit" size="xs" loading={saving}>
            {grant.review ? 'Revise review' : 'Record review'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
